// The zoo without files and without ONNX: names, graphs and facts of the ten networks (no node: imports, so the
// checker and the simulator can use it; no protobuf, so a real run whose models are cached does not load it:
// importing it costs ~12 MiB of RSS under tsx). catalog.ts adds the weightless ONNX models.
import { ZOO_NETWORKS, type ZooNetwork } from "../names.ts";
import type { CaffeLayerType, ZooGraph } from "./caffe-builder.ts";
import { ZOO_SPECS, type ZooNetworkSpec } from "./networks.ts";
import { WEIGHTS_VERSION } from "./weights.ts";

/** The ONNX opset of the generated models (onnx-model.ts writes them). */
export const OPSET_VERSION = 17;

/** Part of every generated file's producer_version and cache key: bump when the generator's output changes. */
export const ZOO_GENERATOR_VERSION = `zoo-1+${WEIGHTS_VERSION}+opset${OPSET_VERSION}`;

/** A bad zoo name: the CLI prints `message` alone. */
export class ZooError extends Error {
  readonly code: string;
  constructor(message: string, code = "E_ZOO_NAME") {
    super(message);
    this.name = "ZooError";
    this.code = code;
  }
}

/** Accepts the zoo names of stdlib/names.ts and EdgeCaffe's spelling (`AgeNet`), case-insensitively. */
export function zooName(name: string): ZooNetwork {
  const lower = name.toLowerCase();
  const found = ZOO_NETWORKS.find((n) => n === lower);
  if (!found) throw new ZooError(`unknown zoo network '${name}', expected one of: ${ZOO_NETWORKS.join(", ")}`);
  return found;
}

export function isZooName(name: string): boolean {
  return (ZOO_NETWORKS as readonly string[]).includes(name.toLowerCase());
}

export function zooSpec(name: string): ZooNetworkSpec {
  const n = zooName(name);
  return ZOO_SPECS.find((s) => s.name === n)!;
}

const graphs = new Map<ZooNetwork, ZooGraph>();

/** The network as a graph description (cached: it is small, weights are only described). */
export function zooGraph(name: string): ZooGraph {
  const n = zooName(name);
  let graph = graphs.get(n);
  if (!graph) {
    graph = zooSpec(n).build();
    graphs.set(n, graph);
  }
  return graph;
}

export interface ZooTensorInfo {
  name: string;
  dtype: "float32";
  shape: number[];
}

export interface ZooInfo {
  name: ZooNetwork;
  /** The EdgeCaffe folder name, e.g. `AgeNet`. */
  caffeName: string;
  task: "classification" | "regression" | "detection";
  classes: number;
  input: ZooTensorInfo;
  output: ZooTensorInfo;
  /** Batch size of the original prototxt (the zoo model's batch is 1). */
  caffeBatch: number;
  /** Bytes of all weights (float32) in the generated model. */
  weightsBytes: number;
  /** Σ partialFileSize in EdgeCaffe's description.yaml. */
  edgecaffeWeightsBytes: number;
  nodeCount: number;
  opset: number;
}

export function zooInfo(name: string): ZooInfo {
  const spec = zooSpec(name);
  const graph = zooGraph(name);
  return {
    name: spec.name,
    caffeName: spec.caffeName,
    task: spec.task,
    classes: spec.classes,
    input: { name: graph.input.name, dtype: "float32", shape: [...graph.input.shape] },
    output: { name: graph.output.name, dtype: "float32", shape: [...graph.output.shape] },
    caffeBatch: spec.caffeBatch,
    weightsBytes: graph.nodes.reduce((a, n) => a + n.weightsBytes, 0),
    edgecaffeWeightsBytes: spec.edgecaffeWeightsBytes,
    nodeCount: graph.nodes.length,
    opset: OPSET_VERSION,
  };
}

/** Per-node facts, in graph order: what the device profile's time estimates are computed from. */
export interface ZooNodeFacts {
  name: string;
  /** The Caffe layer this node belongs to (the name up to a `#`). */
  caffeLayer: string;
  op: string;
  caffeType: CaffeLayerType;
  flops: number;
  weightsBytes: number;
  inputBytes: number;
  outputBytes: number;
}

export function zooNodeFacts(name: string): ZooNodeFacts[] {
  const graph = zooGraph(name);
  const bytes = (tensor: string): number => 4 * (graph.tensors.get(tensor)?.reduce((a, b) => a * b, 1) ?? 0);
  return graph.nodes.map((n) => ({
    name: n.name,
    caffeLayer: caffeLayerOf(n.name),
    op: n.op,
    caffeType: n.caffeType,
    flops: n.flops,
    weightsBytes: n.weightsBytes,
    inputBytes: n.inputs.reduce((a, i) => a + bytes(i), 0),
    outputBytes: bytes(n.output),
  }));
}

/** Zoo node names are Caffe layer names; an extra ONNX node inside one Caffe layer is `<layer>#<role>`. */
export function caffeLayerOf(nodeName: string): string {
  const hash = nodeName.indexOf("#");
  return hash < 0 ? nodeName : nodeName.slice(0, hash);
}
