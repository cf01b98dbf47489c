// The zoo without files: names, facts (facts.ts) and weightless ONNX models of the ten networks (no node:
// imports, so the checker and the simulator can use it).
import type { ModelProto } from "onnx-buf";
import { ZOO_GENERATOR_VERSION, ZooError, zooGraph } from "./facts.ts";
import { modelWithoutWeights } from "./onnx-model.ts";

export * from "./facts.ts";

/**
 * The ModelProto with every intermediate tensor's shape in value_info and initializers that have dims but no data:
 * what a simulator needs to know about the layers, without generating the weights. onnxruntime cannot run it.
 */
export function zooModel(name: string, options: { weights: false }): ModelProto {
  if (options.weights !== false) throw new ZooError("zooModel() gives weightless models; use zooModelPath() for a runnable file", "E_ZOO_WEIGHTS");
  return modelWithoutWeights(zooGraph(name), ZOO_GENERATOR_VERSION);
}
