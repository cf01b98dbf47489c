// Layer planning, the entry: which nodes form each layer (grouping.ts, then tiling.ts under a cap, merging, and
// half-as-float.ts for float16 models), what each layer reads, writes and weighs (workspace.ts for its exec).
// Pure: no file access, and no weight data needed (initializers with dims but no bytes plan the same), so the
// simulator can use it.
import type { ModelProto, NodeProto } from "onnx-buf";
import { dtypeFacts, elementCount } from "./dtypes.ts";
import { ModelError } from "./errors.ts";
import { type PreparedGraph, prepareGraph } from "./graph.ts";
import { type Group, type LayerWeight, layerGroups, mergeGroups, nodeStep } from "./grouping.ts";
import { carryHalfAsFloat } from "./half-as-float.ts";
import { declaredShapes, resolveInputTypes, type ShapeTable, type TensorType } from "./shapes.ts";
import { tileGroup } from "./tiling.ts";
import type { LayerInfo, TensorInfo } from "./types.ts";
import { groupWorkspaceBytes } from "./workspace.ts";

export type { LayerWeight } from "./grouping.ts";

export type Granularity = "layer" | "node" | "merged";

export interface PlanOptions {
  /** "layer" (default): a weighted operator and the parameter-free ones after it; "node": one node each;
   * "merged": consecutive layers combined while their weights stay within `mergeBytes`. */
  granularity?: Granularity;
  /** Target weights per merged layer (granularity "merged"); default 4 MiB. */
  mergeBytes?: number;
  /** Largest weights a layer may load: bigger Conv/ConvTranspose/Gemm/MatMul layers are cut into tiles. */
  capBytes?: number;
  /** Concrete dims for inputs with symbolic dims, e.g. { x: [1, 3, 224, 224] }. */
  inputShapes?: Record<string, number[]>;
  /** Types found by running the model (host/discovery) for values value_info leaves symbolic. */
  shapes?: ShapeTable;
  /** float16 models: the nodes (by first output) onnxruntime's CPU provider runs in float32 in the whole model
   * (split.ts, `halfNodesInFloat`): their float16 values travel as float32, see carryHalfAsFloat. */
  halfInFloat?: ReadonlySet<string>;
  /** Other operators count as weighted when their initializer inputs reach this many bytes; default 1 KiB,
   * so scalars and shape vectors (Reshape targets, Mul by 0.5) ride along instead of opening a layer. */
  minWeightBytes?: number;
}

export const DEFAULT_MERGE_BYTES = 4 * 1024 * 1024;
const DEFAULT_MIN_WEIGHT_BYTES = 1024;

/**
 * Above this many weight bytes per flop a layer is memory-heavy: loading it costs more than running it.
 * 0.1 B/flop is where the two balance for a device that reads weights at ~1 GB/s and computes ~10 GFLOP/s
 * (an edge CPU core); a 3x3 conv has ~1e-3 B/flop, a fully connected layer at batch 1 has ~2 B/flop.
 */
export const HEAVY_BYTES_PER_FLOP = 0.1;

export interface PlannedLayer {
  info: LayerInfo;
  /** Node protos for the layer's file, in order. */
  nodes: NodeProto[];
  weights: LayerWeight[];
}

export interface LayerPlan {
  graph: PreparedGraph;
  inputs: TensorInfo[];
  outputs: TensorInfo[];
  layers: PlannedLayer[];
  /** Model weights, each counted once (layers sharing a weight each count it). */
  weightsBytes: number;
  shapes: ShapeTable;
  /** The float16 nodes planned to run in float32 (PlanOptions.halfInFloat), for planning the model again. */
  halfInFloat?: ReadonlySet<string>;
}

/** Facts per layer for a model (no weight data needed). Throws ModelError when a boundary value has no known shape. */
export function planLayers(model: ModelProto, options: PlanOptions = {}): LayerInfo[] {
  return planSplit(model, options).layers.map((layer) => layer.info);
}

/** Values crossing layer boundaries (or graph outputs) whose shapes value_info does not give. */
export function missingShapes(model: ModelProto, options: PlanOptions = {}): string[] {
  const missing: string[] = [];
  planSplit(model, options, missing);
  return missing;
}

export function planSplit(model: ModelProto, options: PlanOptions = {}, missing?: string[]): LayerPlan {
  const graph = prepareGraph(model);
  const { types, symbols } = resolveInputTypes(model, graph.inputs, options.inputShapes ?? {});
  const shapes = declaredShapes(model, types, symbols);
  for (const [name, type] of options.shapes ?? []) if (!shapes.has(name)) shapes.set(name, type);
  for (const weight of graph.weights.values()) shapes.set(weight.name, { dataType: weight.dataType, shape: weight.dims });
  const shapeOf = (name: string) => shapes.get(name)?.shape;

  for (const name of graph.outputs) {
    if (graph.weights.has(name)) throw new ModelError(`graph output '${name}' is a constant (initializer or Constant node): not supported`, "E_MODEL_GRAPH");
  }
  const minWeightBytes = options.minWeightBytes ?? DEFAULT_MIN_WEIGHT_BYTES;
  const steps = graph.nodes.map((node) => nodeStep(node, graph, minWeightBytes, shapeOf));
  let groups = options.granularity === "node" ? steps.map((step) => ({ steps: [step] })) : layerGroups(steps);
  const opset = Number(model.opsetImport.find((o) => o.domain === "" || o.domain === "ai.onnx")?.version ?? 1n);
  if (options.capBytes !== undefined) groups = groups.flatMap((group) => tileGroup(group, options.capBytes!, shapes, opset));
  if (options.granularity === "merged") {
    const target = Math.min(options.mergeBytes ?? DEFAULT_MERGE_BYTES, options.capBytes ?? Infinity);
    groups = mergeGroups(groups, target);
  }
  if (options.halfInFloat && options.halfInFloat.size > 0) carryHalfAsFloat(groups, new Set(graph.outputs), shapes, options.halfInFloat);
  const layers = describeGroups(groups, graph, shapes, missing);
  const tensorInfo = (name: string) => boundaryTensor(name, shapes, missing, "graph input/output");
  return {
    graph,
    inputs: graph.inputs.map(tensorInfo),
    outputs: graph.outputs.map(tensorInfo),
    layers,
    weightsBytes: [...graph.weights.values()].reduce((sum, w) => sum + w.bytes, 0),
    shapes,
    ...(options.halfInFloat ? { halfInFloat: options.halfInFloat } : {}),
  };
}

function describeGroups(groups: Group[], graph: PreparedGraph, shapes: ShapeTable, missing?: string[]): PlannedLayer[] {
  // For each value, the last group that reads it from outside: a group's output is what a later group or the
  // caller reads (a group that makes its own copy of a value, a float16 boundary's reader cast, reads it from itself).
  const lastReader = new Map<string, number>();
  groups.forEach((group, index) => {
    const produced = new Set(group.steps.flatMap((s) => s.outputs));
    for (const step of group.steps) for (const name of step.inputs) if (!produced.has(name)) lastReader.set(name, index);
  });
  const graphOutputs = new Set(graph.outputs);
  return groups.map((group, index) => {
    const produced = new Set(group.steps.flatMap((s) => s.outputs));
    const inputs = [...new Set(group.steps.flatMap((s) => s.inputs))].filter((name) => !produced.has(name));
    const outputs = group.steps
      .filter((s) => s.added !== "reader")
      .flatMap((s) => s.outputs)
      .filter((name) => graphOutputs.has(name) || (lastReader.get(name) ?? -1) > index);
    const original = group.steps.filter((s) => s.added === undefined);
    const weights = [...new Map(group.steps.flatMap((s) => s.weights).map((w) => [w.name, w])).values()];
    const weightsBytes = weights.reduce((sum, w) => sum + w.bytes, 0);
    const flops = group.steps.reduce((sum, s) => sum + s.flops, 0);
    const anchor = group.steps.find((s) => s.weighted) ?? original[0] ?? group.steps[0]!;
    const outputInfos = outputs.map((name) => boundaryTensor(name, shapes, missing, `output of layer ${index}`));
    const execWorkspaceBytes = groupWorkspaceBytes(group.steps, new Set(outputs), shapes);
    const info: LayerInfo = {
      index,
      name: group.tile
        ? group.tile.index < group.tile.count ? `${group.tile.of}#${group.tile.index + 1}/${group.tile.count}` : `${group.tile.of}#concat`
        : anchor.name,
      nodes: [...new Set(original.map((s) => s.name))],
      ops: original.map((s) => s.op),
      inputs: inputs.map((name) => boundaryTensor(name, shapes, missing, `input of layer ${index}`)),
      outputs: outputInfos,
      weightsBytes,
      activationBytes: outputInfos.reduce((sum, t) => sum + t.bytes, 0),
      flops,
      heavy: weightsBytes > HEAVY_BYTES_PER_FLOP * flops ? "memory" : "compute",
    };
    if (execWorkspaceBytes > 0) info.execWorkspaceBytes = execWorkspaceBytes;
    const controlFlow = group.steps.flatMap((s) => (s.keptWhole ? [{ node: s.name, op: s.op, ...s.keptWhole }] : []));
    if (controlFlow.length > 0) info.controlFlow = controlFlow;
    if (group.tile) info.tile = group.tile;
    return { info, nodes: group.steps.map((s) => s.proto), weights };
  });
}

function boundaryTensor(name: string, shapes: ShapeTable, missing: string[] | undefined, role: string): TensorInfo {
  const type: TensorType | undefined = shapes.get(name);
  if (!type) {
    if (missing) {
      if (!missing.includes(name)) missing.push(name);
      return { name, dtype: "unknown", shape: [], bytes: 0 };
    }
    throw new ModelError(`no shape known for '${name}' (${role}): value_info lacks it; run the model once to discover shapes (splitModel does)`, "E_SHAPE");
  }
  return { name, dtype: dtypeFacts(type.dataType).name, shape: type.shape, bytes: dtypeFacts(type.dataType).bytes * elementCount(type.shape) };
}
