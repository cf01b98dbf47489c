// float16 models: layer files that compute in float32 exactly where onnxruntime computes the whole model in
// float32 (the choice read by half-precision.ts), with float32 values crossing layer boundaries. Pure.
import { clone, create } from "@bufbuild/protobuf";
import { AttributeProto_AttributeType, AttributeProtoSchema, NodeProtoSchema } from "onnx-buf";
import { DataType } from "./dtypes.ts";
import type { Group, Step } from "./grouping.ts";
import type { ShapeTable } from "./shapes.ts";

/** The name a float16 value crossing a layer boundary travels under, as float32. */
export const FLOAT32_CARRIER = "::float32";

/**
 * float16 models: each layer computes in float32 exactly where the whole model does. onnxruntime's CPU provider
 * has float32 kernels only for most operators (Conv, Gemm, MatMul, Add, Relu, Sigmoid, Softmax, ... in 1.30).
 * Its InsertCastTransformer, which runs at every optimization level, casts such a node's float16 inputs to
 * float32 and its outputs back, then removes each float32 -> float16 -> float32 Cast pair: between two such
 * nodes a value stays float32, never rounded. It also runs an operator that has a float16 kernel (Concat,
 * Flatten, MaxPool, ...) in float32 when all its neighbours run in float32, a choice that depends on nodes a
 * layer boundary may cut off. A layer left to onnxruntime would round every float16 value at its boundary and
 * decide its edge nodes differently (measured: a U-Net 6.1e-3 apart). So the choice is read from onnxruntime
 * for the whole model (`halfInFloat`) and written into the layer files: such a node reads and writes float32
 * (`v::float32`; its float16 inputs cast with an exact Cast), its float32 outputs cross layer boundaries as
 * they are, a node that runs in float16 reads a value cast to float16 as the whole model casts it, and a graph
 * output is cast to float16 where it is made. The layer's session then has no float16 input to a float32-only
 * kernel, so onnxruntime inserts no Cast and changes no choice.
 */
export function carryHalfAsFloat(groups: Group[], graphOutputs: Set<string>, shapes: ShapeTable, inFloat: ReadonlySet<string>): void {
  const weightTypes = new Map<string, number>();
  for (const group of groups) for (const step of group.steps) for (const w of step.weights) weightTypes.set(w.name, w.dataType);
  const isHalf = (name: string) => (weightTypes.get(name) ?? shapes.get(name)?.dataType) === DataType.FLOAT16;
  const carrier = (name: string) => name + FLOAT32_CARRIER;
  const typeAs = (name: string, dataType: number) => {
    const shape = shapes.get(name)?.shape ?? weightShape(groups, name);
    if (shape) shapes.set(carrier(name), { dataType, shape });
  };
  const cast = (input: string, output: string, to: number, added: Step["added"], fromWeight: boolean): Step => ({
    name: `${output}::cast`, op: "Cast", inputs: fromWeight ? [] : [input], outputs: [output], weights: [], weighted: false, flops: 0, key: output, added,
    proto: create(NodeProtoSchema, {
      name: `${output}::cast`, opType: "Cast", input: [input], output: [output],
      attribute: [create(AttributeProtoSchema, { name: "to", type: AttributeProto_AttributeType.INT, i: BigInt(to) })],
    }),
  });
  // Values some node made in float32 (their float16 names no longer exist but where cast back).
  const madeInFloat = new Set<string>();
  for (const group of groups) {
    const steps: Step[] = [];
    const asFloat = new Set<string>(); // float16 values this layer has cast to float32
    const asHalf = new Set<string>(); // float32-made values this layer has cast back to float16
    for (const step of group.steps) {
      if (inFloat.has(step.key) && !step.subgraphs && step.added === undefined) {
        const proto = clone(NodeProtoSchema, step.proto);
        proto.input = proto.input.map((name) => {
          if (name === "" || !isHalf(name)) return name;
          if (!madeInFloat.has(name) && !asFloat.has(name)) {
            asFloat.add(name);
            typeAs(name, DataType.FLOAT);
            steps.push(cast(name, carrier(name), DataType.FLOAT, "reader", weightTypes.has(name)));
          }
          return carrier(name);
        });
        const outputs: string[] = [];
        proto.output = proto.output.map((name) => {
          if (name === "" || !isHalf(name)) return name;
          madeInFloat.add(name);
          typeAs(name, DataType.FLOAT);
          outputs.push(name);
          return carrier(name);
        });
        // A Cast to float16 that the whole model folds into its neighbours' casts: the float32 value as it is.
        if (proto.opType === "Cast") for (const a of proto.attribute) if (a.name === "to" && Number(a.i) === DataType.FLOAT16) a.i = BigInt(DataType.FLOAT);
        const renamed = new Set(outputs);
        steps.push({ ...step, proto, inputs: step.inputs.map((n) => (isHalf(n) ? carrier(n) : n)), outputs: step.outputs.map((n) => (renamed.has(n) ? carrier(n) : n)) });
        for (const name of outputs) {
          if (!graphOutputs.has(name)) continue;
          asHalf.add(name);
          steps.push(cast(carrier(name), name, DataType.FLOAT16, "output", false));
        }
        continue;
      }
      for (const name of step.inputs) {
        if (!madeInFloat.has(name) || asHalf.has(name)) continue;
        asHalf.add(name);
        steps.push(cast(carrier(name), name, DataType.FLOAT16, "reader", false));
      }
      steps.push(step);
    }
    group.steps = steps;
  }
}

function weightShape(groups: Group[], name: string): number[] | undefined {
  for (const group of groups) for (const step of group.steps) for (const w of step.weights) if (w.name === name) return w.dims;
  return undefined;
}
