// Builds small ONNX models in test code (onnx-buf), with seeded weights, and writes them to a temp folder.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create } from "@bufbuild/protobuf";
import {
  AttributeProto_AttributeType as AttrType,
  AttributeProtoSchema,
  type GraphProto,
  GraphProtoSchema,
  type ModelProto,
  ModelProtoSchema,
  type NodeProto,
  NodeProtoSchema,
  OperatorSetIdProtoSchema,
  type TensorProto,
  TensorProtoSchema,
  TensorShapeProto_DimensionSchema,
  TensorShapeProtoSchema,
  TypeProto_TensorSchema,
  TypeProtoSchema,
  type ValueInfoProto,
  ValueInfoProtoSchema,
} from "onnx-buf";
import { encodeModel } from "../../../runtime/model/onnx-file.ts";

export const FLOAT = 1;
export const INT64 = 7;
export const BOOL = 9;
export const FLOAT16 = 10;

/** float16 bits of a number, rounded to nearest even (normal and subnormal range; no infinities needed here). */
export function float16Bits(value: number): number {
  const bits = new Uint32Array(new Float32Array([value]).buffer)[0]!;
  const sign = (bits >>> 16) & 0x8000;
  const exponent = ((bits >>> 23) & 0xff) - 127 + 15;
  const mantissa = (bits & 0x7fffff) | 0x800000;
  // Subnormal float16 results shift the mantissa further; the rounding below is the same.
  const shift = exponent > 0 ? 13 : 14 - exponent;
  if (shift > 24) return sign;
  const kept = mantissa >>> shift;
  const rest = mantissa & ((1 << shift) - 1);
  const half = 1 << (shift - 1);
  let half16 = exponent > 0 ? (exponent << 10) + (kept & 0x3ff) : kept;
  if (rest > half || (rest === half && (kept & 1) === 1)) half16++;
  return sign | half16;
}

let state = 12345;
/** Seeded values in [-1, 1). */
export function values(count: number, seed?: number): number[] {
  if (seed !== undefined) state = seed;
  return Array.from({ length: count }, () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return (state / 2 ** 32) * 2 - 1;
  });
}

/** A float tensor with seeded values, stored as raw_data (or float_data when asked); float16 values when `half`, times `scale`. */
export function weight(name: string, dims: number[], options: { floatData?: boolean; noData?: boolean; half?: boolean; scale?: number } = {}): TensorProto {
  const count = dims.reduce((n, d) => n * d, 1);
  const data = values(count).map((v) => v * (options.scale ?? 1));
  const tensor = create(TensorProtoSchema, { name, dataType: options.half ? FLOAT16 : FLOAT, dims: dims.map(BigInt) });
  if (options.noData) return tensor;
  if (options.half) {
    tensor.rawData = new Uint8Array(Uint16Array.from(data, float16Bits).buffer);
    return tensor;
  }
  if (options.floatData) tensor.floatData = data.map((v) => Math.fround(v));
  else tensor.rawData = new Uint8Array(new Float32Array(data).buffer);
  return tensor;
}

export function int64s(name: string, data: number[]): TensorProto {
  return create(TensorProtoSchema, {
    name, dataType: INT64, dims: [BigInt(data.length)],
    rawData: new Uint8Array(new BigInt64Array(data.map(BigInt)).buffer),
  });
}

type AttrValue = number | number[] | string | GraphProto | TensorProto | { float: number };

export function node(op: string, inputs: string[], outputs: string[], attrs: Record<string, AttrValue> = {}, name?: string): NodeProto {
  const attribute = Object.entries(attrs).map(([key, value]) => {
    if (typeof value === "number") return create(AttributeProtoSchema, { name: key, type: AttrType.INT, i: BigInt(value) });
    if (Array.isArray(value)) return create(AttributeProtoSchema, { name: key, type: AttrType.INTS, ints: value.map(BigInt) });
    if (typeof value === "string") return create(AttributeProtoSchema, { name: key, type: AttrType.STRING, s: new TextEncoder().encode(value) });
    if ("float" in value) return create(AttributeProtoSchema, { name: key, type: AttrType.FLOAT, f: value.float });
    if (value.$typeName === "onnx.GraphProto") return create(AttributeProtoSchema, { name: key, type: AttrType.GRAPH, g: value });
    return create(AttributeProtoSchema, { name: key, type: AttrType.TENSOR, t: value });
  });
  return create(NodeProtoSchema, { opType: op, input: inputs, output: outputs, attribute, name: name ?? `${op.toLowerCase()}_${outputs[0]}` });
}

/** A typed value: dims are numbers or symbol names; undefined dims = unknown shape. */
export function tensorValue(name: string, dims?: (number | string)[], elemType = FLOAT): ValueInfoProto {
  return create(ValueInfoProtoSchema, {
    name,
    type: create(TypeProtoSchema, {
      value: {
        case: "tensorType",
        value: create(TypeProto_TensorSchema, {
          elemType,
          shape: dims
            ? create(TensorShapeProtoSchema, {
                dim: dims.map((d) =>
                  create(TensorShapeProto_DimensionSchema, {
                    value: typeof d === "number" ? { case: "dimValue", value: BigInt(d) } : { case: "dimParam", value: d },
                  }),
                ),
              })
            : undefined,
        }),
      },
    }),
  });
}

export interface GraphParts {
  inputs: ValueInfoProto[];
  outputs: ValueInfoProto[];
  nodes: NodeProto[];
  initializers?: TensorProto[];
  valueInfo?: ValueInfoProto[];
  name?: string;
}

export function graph(parts: GraphParts): GraphProto {
  return create(GraphProtoSchema, {
    name: parts.name ?? "g",
    input: parts.inputs,
    output: parts.outputs,
    node: parts.nodes,
    initializer: parts.initializers ?? [],
    valueInfo: parts.valueInfo ?? [],
  });
}

export function model(parts: GraphParts, opset = 17): ModelProto {
  return create(ModelProtoSchema, {
    irVersion: 8n,
    producerName: "mema-test",
    opsetImport: [create(OperatorSetIdProtoSchema, { domain: "", version: BigInt(opset) })],
    graph: graph(parts),
  });
}

const cleanups: string[] = [];
const cleanUp = () => {
  for (const dir of cleanups.splice(0)) rmSync(dir, { recursive: true, force: true });
};
// Node and Bun fire process "exit"; Deno's test runner ends with the web "unload" event instead.
process.on("exit", cleanUp);
(globalThis as { addEventListener?: (type: string, listener: () => void) => void }).addEventListener?.("unload", cleanUp);

/** A temp folder removed when the process exits. */
function ownTempFolder(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cleanups.push(dir);
  return dir;
}

let cache: string | undefined;
/**
 * Points cacheDir() at a temp folder removed on exit, once per process (Bun and Deno run every test file in
 * one process, so the files share it).
 */
export function useTempCache(): void {
  cache ??= process.env.MEMA_CACHE_DIR = ownTempFolder("mema-cache-test-");
}

let folder: string | undefined;
/** Writes the model to a fresh temp folder (one per test file) and returns its path. */
export function writeModel(name: string, proto: ModelProto): string {
  folder ??= ownTempFolder("mema-model-test-");
  const path = join(folder, `${name}.onnx`);
  writeFileSync(path, encodeModel(proto));
  return path;
}

export function tempFolder(): string {
  folder ??= ownTempFolder("mema-model-test-");
  return folder;
}
