// float16 models: which nodes onnxruntime's CPU provider runs in float32 when it runs the whole model, read
// from the graph it builds (its optimized model file), so that the split can do the same (half-as-float.ts, carryHalfAsFloat).
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { create } from "@bufbuild/protobuf";
import { GraphProtoSchema, type ModelProto, ModelProtoSchema, TensorProto_DataLocation } from "onnx-buf";
import { EXACT_SESSION_OPTIONS, type HostSession } from "../host/onnxruntime.ts";
import { DataType, tensorBytes } from "./dtypes.ts";
import { valueInfo } from "./layer-file.ts";
import { decodeModel, encodeModel } from "./onnx-file.ts";
import type { ShapeTable } from "./shapes.ts";

/** Weights up to this size stay in the probe model (shape vectors, scales); larger ones become graph inputs. */
const KEPT_WEIGHT_BYTES = 1024;
/** The names onnxruntime gives the float32 values it inserts (1.30: InsertedPrecisionFreeCast_x; earlier InsertedCast_x). */
const INSERTED = /^Inserted[A-Za-z]*Cast_/;

/** True when some value of the model is float16: only then does onnxruntime insert casts. */
export function hasHalfValues(shapes: ShapeTable): boolean {
  for (const type of shapes.values()) if (type.dataType === DataType.FLOAT16) return true;
  return false;
}

/**
 * The nodes (by first output, as grouping.ts keys them) that onnxruntime runs in float32 in the whole model: it
 * creates a session of the model (weights over 1 KiB turned into graph inputs: nothing is read or copied, and
 * its cast choices treat an initializer and a graph input alike), saves the graph it will run
 * (`optimizedModelFilePath`, into `folder`, removed after) and reads it: a node that reads or writes one of
 * the float32 values onnxruntime inserted runs in float32, and so does a Cast of the model's that it folded away.
 */
export async function halfNodesInFloat(
  model: ModelProto,
  folder: string,
  open: (source: Uint8Array, options: typeof EXACT_SESSION_OPTIONS) => Promise<HostSession>,
): Promise<Set<string>> {
  const graph = model.graph!;
  const large = graph.initializer.filter((t) => t.dataLocation === TensorProto_DataLocation.EXTERNAL || tensorBytes(t.dataType, t.dims.map(Number)) > KEPT_WEIGHT_BYTES);
  const asInputs = new Set(large.map((t) => t.name));
  const probe = create(ModelProtoSchema, {
    irVersion: model.irVersion,
    opsetImport: model.opsetImport,
    functions: model.functions,
    graph: create(GraphProtoSchema, {
      name: graph.name,
      node: graph.node,
      initializer: graph.initializer.filter((t) => !asInputs.has(t.name)),
      input: [...graph.input.filter((i) => !asInputs.has(i.name)), ...large.map((t) => valueInfo(t.name, { dataType: t.dataType, shape: t.dims.map(Number) }))],
      output: graph.output,
      valueInfo: graph.valueInfo,
    }),
  });
  const saved = join(folder, `half-probe-${process.pid}.onnx`);
  let ran: ModelProto;
  try {
    const session = await open(encodeModel(probe), { ...EXACT_SESSION_OPTIONS, optimizedModelFilePath: saved, logSeverityLevel: 4 });
    await session.release();
    ran = decodeModel(readFileSync(saved), saved);
  } finally {
    rmSync(saved, { force: true });
  }
  const keyOf = new Map<string, string>();
  for (const node of graph.node) for (const name of node.output) if (name !== "") keyOf.set(name, node.output[0]!);
  const inFloat = new Set<string>();
  const produced = new Set<string>();
  for (const node of ran.graph!.node) {
    const inserted = node.opType === "Cast" && node.name.startsWith("Inserted");
    if (inserted) continue;
    for (const name of node.output) produced.add(name);
    if (![...node.input, ...node.output].some((name) => INSERTED.test(name))) continue;
    for (const name of node.output) {
      const key = keyOf.get(name.replace(INSERTED, ""));
      if (key !== undefined) inFloat.add(key);
    }
  }
  // A Cast of the model's own that onnxruntime removed with the Cast it inserted next to it (float16 -> float32
  // after a float32 node, float32 -> float16 before one): its value is the float32 one, never rounded. In the
  // layers it becomes a Cast to float32 of the float32 value (a copy); a Cast left in place stays as it is.
  for (const node of graph.node) {
    if (node.opType === "Cast" && node.output[0] && !produced.has(node.output[0])) inFloat.add(node.output[0]);
  }
  return inFloat;
}
