// Layer planning: which nodes form each layer, what each layer reads, writes and weighs. Pure: no file access,
// and no weight data needed (initializers with dims but no bytes plan the same), so the simulator can use it.
import { clone, create } from "@bufbuild/protobuf";
import { AttributeProto_AttributeType, AttributeProtoSchema, type ModelProto, type NodeProto, NodeProtoSchema, TensorProtoSchema } from "onnx-buf";
import { DataType, dtypeFacts, elementCount, tensorBytes } from "./dtypes.ts";
import { ModelError } from "./errors.ts";
import { nodeFlops } from "./flops.ts";
import { type GraphNode, type PreparedGraph, prepareGraph } from "./graph.ts";
import { declaredShapes, resolveInputTypes, type ShapeTable, type TensorType } from "./shapes.ts";
import type { LayerInfo, TensorInfo } from "./types.ts";

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
/** Operators that are a layer's anchor whenever one of their inputs is an initializer. */
const WEIGHTED_OPS = new Set(["Conv", "ConvTranspose", "Gemm", "MatMul"]);

/**
 * Above this many weight bytes per flop a layer is memory-heavy: loading it costs more than running it.
 * 0.1 B/flop is where the two balance for a device that reads weights at ~1 GB/s and computes ~10 GFLOP/s
 * (an edge CPU core); a 3x3 conv has ~1e-3 B/flop, a fully connected layer at batch 1 has ~2 B/flop.
 */
export const HEAVY_BYTES_PER_FLOP = 0.1;

/** Tiles start on multiples of this many output features whenever the cap leaves room for that many. */
export const TILE_ALIGN_FEATURES = 16;

/** A weight a layer loads: a whole model weight, or a slice of it along `slice.axis` (tiles). */
export interface LayerWeight {
  /** The name the layer's file uses. */
  name: string;
  /** The model weight it comes from. */
  source: string;
  dataType: number;
  dims: number[];
  bytes: number;
  slice?: { axis: number; start: number; end: number };
}

/** One step of a layer: an original node, or a tile / concat made by tiling. */
interface Step {
  name: string;
  op: string;
  proto: NodeProto;
  inputs: string[];
  outputs: string[];
  weights: LayerWeight[];
  /** Anchors a layer (see WEIGHTED_OPS and minWeightBytes). */
  weighted: boolean;
  /** Flops computed from the original node (tiles: their share). */
  flops: number;
  /** A node kept whole with its subgraphs (GraphNode.keptWhole). */
  keptWhole?: { nodes: number; reason: string };
  /** The original node it comes from (its first output): tiles, their Slice and Concat steps share their node's. */
  key: string;
  /** The node carries subgraphs (If, Loop, Scan): kept as it is by carryHalfAsFloat. */
  subgraphs?: boolean;
  /** A Cast added by carryHalfAsFloat, not an original node. "reader": a copy of a value in another precision
   * for this layer's own nodes, never a layer output; "output": a graph output cast back to float16. */
  added?: "reader" | "output";
}

interface Group {
  steps: Step[];
  tile?: { of: string; index: number; count: number };
}

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

function nodeStep(node: GraphNode, graph: PreparedGraph, minWeightBytes: number, shapeOf: (n: string) => number[] | undefined): Step {
  const weights: LayerWeight[] = [];
  for (const name of node.inputs) {
    const weight = graph.weights.get(name);
    if (weight) weights.push({ name, source: name, dataType: weight.dataType, dims: weight.dims, bytes: weight.bytes });
  }
  const weightBytes = weights.reduce((sum, w) => sum + w.bytes, 0);
  const weighted = weights.length > 0 && (WEIGHTED_OPS.has(node.op) || weightBytes >= minWeightBytes);
  return {
    name: node.name, op: node.op, proto: node.proto,
    inputs: node.inputs.filter((name) => !graph.weights.has(name)),
    outputs: node.outputs, weights, weighted, flops: nodeFlops(node, shapeOf), key: node.outputs[0] ?? node.name, subgraphs: node.hasSubgraphs,
    ...(node.keptWhole ? { keptWhole: node.keptWhole } : {}),
  };
}

/** Default layers: a new layer opens at each weighted step once the current one already holds one. */
function layerGroups(steps: Step[]): Group[] {
  const groups: Group[] = [];
  let current: Step[] = [];
  for (const step of steps) {
    if (step.weighted && current.some((s) => s.weighted)) {
      groups.push({ steps: current });
      current = [];
    }
    current.push(step);
  }
  if (current.length > 0) groups.push({ steps: current });
  return groups;
}

function groupWeightBytes(steps: Step[]): number {
  const seen = new Map<string, number>();
  for (const step of steps) for (const w of step.weights) seen.set(w.name, w.bytes);
  let sum = 0;
  for (const bytes of seen.values()) sum += bytes;
  return sum;
}

function mergeGroups(groups: Group[], targetBytes: number): Group[] {
  const merged: Group[] = [];
  for (const group of groups) {
    const last = merged[merged.length - 1];
    if (last && !last.tile && !group.tile && groupWeightBytes([...last.steps, ...group.steps]) <= targetBytes) {
      last.steps = [...last.steps, ...group.steps];
    } else {
      merged.push({ ...group, steps: [...group.steps] }); // a tile stays a tile (its name, its LayerInfo.tile)
    }
  }
  return merged;
}

/** How a weighted op's output features map onto its weights, for tiling. */
interface TileAxes {
  /** Index of the weight input sliced, and its axis. */
  weightAxis: number;
  /** Bias input index (sliced along its last axis when it has one entry per feature), if any. */
  biasInput?: number;
  /** The output axis the tiles are concatenated on. */
  outputAxis: number;
  /** Conv groups (> 1): tiles take whole groups, or part of one group, with a Slice of the input channels. */
  groups?: number;
}

function tileAxes(step: Step, shapes: ShapeTable): TileAxes | undefined {
  const attr = (name: string) => step.proto.attribute.find((a) => a.name === name);
  const weight = step.weights.find((w) => w.name === step.proto.input[1]);
  const inputIsWeight = step.weights.some((w) => w.name === step.proto.input[0]);
  const out = shapes.get(step.outputs[0] ?? "")?.shape;
  if (!weight || inputIsWeight || !out) return undefined;
  switch (step.op) {
    case "Conv": {
      const groups = Number(attr("group")?.i ?? 1n);
      return groups === 1 ? { weightAxis: 0, biasInput: 2, outputAxis: 1 } : { weightAxis: 0, biasInput: 2, outputAxis: 1, groups };
    }
    case "ConvTranspose":
      if (Number(attr("group")?.i ?? 1n) !== 1) return undefined;
      return { weightAxis: 1, biasInput: 2, outputAxis: 1 };
    case "Gemm":
      if (weight.dims.length !== 2) return undefined;
      return { weightAxis: Number(attr("transB")?.i ?? 0n) ? 0 : 1, biasInput: 2, outputAxis: 1 };
    case "MatMul":
      if (weight.dims.length !== 2 || out.length < 2) return undefined;
      return { weightAxis: 1, outputAxis: out.length - 1 };
    default:
      return undefined;
  }
}

/** Cuts a group whose weights exceed the cap into tiles of its weighted op plus a concat step. */
function tileGroup(group: Group, capBytes: number, shapes: ShapeTable, opset: number): Group[] {
  const total = groupWeightBytes(group.steps);
  if (total <= capBytes) return [group];
  const at = group.steps.findIndex((s) => s.weighted);
  const step = group.steps[at];
  const layerName = step?.name ?? group.steps[0]!.name;
  const axes = step && tileAxes(step, shapes);
  if (!step || !axes) {
    throw new ModelError(
      `layer '${layerName}' (${group.steps.map((s) => s.op).join(", ")}) has ${total} bytes of weights, over the cap of ${capBytes}, and cannot be tiled (only Conv, ConvTranspose with group=1, Gemm and MatMul with 2-D weights)`,
      "E_CAP",
    );
  }
  const weightName = step.proto.input[1]!;
  const weight = step.weights.find((w) => w.name === weightName)!;
  const features = weight.dims[axes.weightAxis]!;
  const biasName = axes.biasInput !== undefined ? step.proto.input[axes.biasInput] : undefined;
  const bias = biasName ? step.weights.find((w) => w.name === biasName) : undefined;
  const biasSliced = bias !== undefined && bias.dims.length > 0 && bias.dims[bias.dims.length - 1] === features && features > 1;
  const perFeature = weight.bytes / features + (biasSliced ? bias.bytes / features : 0);
  const fixed = total - weight.bytes - (biasSliced ? bias.bytes : 0);
  const perTile = Math.floor((capBytes - fixed) / perFeature);
  if (perTile < 1) {
    throw new ModelError(
      `layer '${layerName}' (${step.op}): one output feature needs ${Math.ceil(perFeature + fixed)} bytes of weights, over the cap of ${capBytes}`,
      "E_CAP",
    );
  }
  const ranges = tileRanges(features, perTile, axes.groups ?? 1, step.weights.find((w) => w.name === weightName)!.dims[1] ?? 1);
  const count = ranges.length;
  const output = step.outputs[0]!;
  const outType = shapes.get(output)!;
  const tiles: Group[] = [];
  const tileOutputs: string[] = [];
  for (const [index, range] of ranges.entries()) {
    const { start, end } = range;
    const suffix = `::tile${index + 1}of${count}`;
    const sliceOf = (w: LayerWeight, axis: number): LayerWeight => {
      const dims = w.dims.map((d, i) => (i === axis ? end - start : d));
      return { name: w.name + suffix, source: w.source, dataType: w.dataType, dims, bytes: tensorBytes(w.dataType, dims), slice: { axis, start, end } };
    };
    const weights = step.weights.map((w) => {
      if (w.name === weightName) return sliceOf(w, axes.weightAxis);
      if (biasSliced && w.name === biasName) return sliceOf(w, w.dims.length - 1);
      return w;
    });
    const tileOutput = output + suffix;
    const renamed = new Map(weights.map((w, i) => [step.weights[i]!.name, w.name]));
    const proto = clone(NodeProtoSchema, step.proto);
    proto.name = step.name + suffix;
    proto.input = step.proto.input.map((name) => renamed.get(name) ?? name);
    proto.output = [tileOutput];
    // A grouped Conv's tile reads only its groups' input channels, through a Slice (a copy: exact).
    const sliceSteps: Step[] = [];
    if (range.channels) {
      const sliced = `${step.proto.input[0]!}${suffix}`;
      sliceSteps.push(...channelSlice(step.proto.input[0]!, sliced, range.channels, step.name, suffix, opset).map((s) => ({ ...s, key: step.key })));
      proto.input[0] = sliced;
      const groupAttr = proto.attribute.find((a) => a.name === "group")!;
      groupAttr.i = BigInt(range.groups!);
    }
    const tileShape = outType.shape.map((d, i) => (i === axes.outputAxis ? end - start : d));
    shapes.set(tileOutput, { dataType: outType.dataType, shape: tileShape });
    tileOutputs.push(tileOutput);
    const tileStep: Step = {
      name: step.name, op: step.op, proto, inputs: proto.input.filter((n) => n !== "" && !weights.some((w) => w.name === n)),
      outputs: [tileOutput], weights, weighted: true, flops: Math.round((step.flops * (end - start)) / features), key: step.key,
    };
    const own = [...sliceSteps, tileStep];
    tiles.push({ steps: index === 0 ? [...group.steps.slice(0, at), ...own] : own, tile: { of: layerName, index, count } });
  }
  const concat: Step = {
    name: `${step.name}::concat`, op: "Concat",
    proto: create(NodeProtoSchema, {
      name: `${step.name}::concat`, opType: "Concat", input: tileOutputs, output: [output],
      attribute: [create(AttributeProtoSchema, { name: "axis", type: AttributeProto_AttributeType.INT, i: BigInt(axes.outputAxis) })],
    }),
    inputs: tileOutputs, outputs: [output], weights: [], weighted: false, flops: 0, key: step.key,
  };
  return [...tiles, { steps: [concat, ...group.steps.slice(at + 1)], tile: { of: layerName, index: count, count } }];
}

/** One tile: output features [start, end); for a grouped Conv also its input channels and group count. */
interface TileRange {
  start: number;
  end: number;
  channels?: [number, number];
  groups?: number;
}

/**
 * Output-feature ranges of at most `perTile` features. Boundaries fall on multiples of TILE_ALIGN_FEATURES
 * when the cap allows: MLAS kernels work in SIMD blocks of output features and finish a ragged end with
 * other code, so a boundary inside a block rounds the features around it differently (FaceNet's 1x1-output
 * fc6 conv under a 16 MiB cap: 1.2e-7). Grouped Conv: whole groups per tile, or parts of one group.
 */
function tileRanges(features: number, perTile: number, groups: number, channelsPerGroup: number): TileRange[] {
  if (groups > 1) {
    const perGroup = features / groups;
    if (perTile >= perGroup) {
      const spans = evenRanges(groups, Math.floor(perTile / perGroup), 1);
      return spans.map(([a, b]) => ({ start: a * perGroup, end: b * perGroup, channels: [a * channelsPerGroup, b * channelsPerGroup], groups: b - a }));
    }
    const within = evenRanges(perGroup, perTile, TILE_ALIGN_FEATURES);
    return Array.from({ length: groups }, (_, g) =>
      within.map(([s, e]): TileRange => ({
        start: g * perGroup + s, end: g * perGroup + e, channels: [g * channelsPerGroup, (g + 1) * channelsPerGroup], groups: 1,
      })),
    ).flat();
  }
  return evenRanges(features, perTile, TILE_ALIGN_FEATURES).map(([start, end]) => ({ start, end }));
}

/** [0, count) cut into as few ranges of at most `most` as possible, evenly (13 x 320 rather than 12 x 336 + 64),
 * each a multiple of `align` long (but the last) when `most` allows. */
function evenRanges(count: number, most: number, align: number): [number, number][] {
  const max = most >= align ? most - (most % align) : most;
  const pieces = Math.ceil(count / max);
  const even = Math.ceil(count / pieces);
  const size = max >= align ? Math.min(max, Math.ceil(even / align) * align) : even;
  return Array.from({ length: pieces }, (_, i): [number, number] => [i * size, Math.min(count, (i + 1) * size)]);
}

/** Steps slicing channels [from, to) of `input` (axis 1) into `output`: a Slice, with Constant inputs from opset 10. */
function channelSlice(input: string, output: string, [from, to]: [number, number], owner: string, suffix: string, opset: number): Step[] {
  // Steps carry the tiled node's name (LayerInfo.nodes lists original nodes); their protos get their own.
  const name = owner + suffix;
  const step = (op: string, proto: NodeProto, inputs: string[], outputs: string[]): Step => ({
    name: owner, op, proto, inputs, outputs, weights: [], weighted: false, flops: 0, key: owner,
  });
  const ints = (key: string, values: number[]) =>
    create(AttributeProtoSchema, { name: key, type: AttributeProto_AttributeType.INTS, ints: values.map(BigInt) });
  if (opset < 10) {
    const proto = create(NodeProtoSchema, {
      name: `${name}::slice`, opType: "Slice", input: [input], output: [output],
      attribute: [ints("starts", [from]), ints("ends", [to]), ints("axes", [1])],
    });
    return [step("Slice", proto, [input], [output])];
  }
  const constant = (suffix: string, value: number): Step => {
    const out = `${output}::${suffix}`;
    const tensor = create(TensorProtoSchema, {
      name: out, dataType: DataType.INT64, dims: [1n], rawData: new Uint8Array(new BigInt64Array([BigInt(value)]).buffer),
    });
    const proto = create(NodeProtoSchema, {
      name: `${name}::${suffix}`, opType: "Constant", output: [out],
      attribute: [create(AttributeProtoSchema, { name: "value", type: AttributeProto_AttributeType.TENSOR, t: tensor })],
    });
    return step("Constant", proto, [], [out]);
  };
  const parts = [constant("starts", from), constant("ends", to), constant("axes", 1)];
  const proto = create(NodeProtoSchema, {
    name: `${name}::slice`, opType: "Slice", input: [input, ...parts.map((p) => p.outputs[0]!)], output: [output],
  });
  return [...parts, step("Slice", proto, [input, ...parts.map((p) => p.outputs[0]!)], [output])];
}

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
function carryHalfAsFloat(groups: Group[], graphOutputs: Set<string>, shapes: ShapeTable, inFloat: ReadonlySet<string>): void {
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

/** MLAS's per-thread working buffer for a Conv it runs as segmented im2col + GEMM (MLAS_SGEMM_STRIDEN x STRIDEK floats). */
const MLAS_SEGMENT_FLOATS = 128 * 128;

/**
 * The bytes an exec holds beyond its inputs and boundary outputs: the intermediate tensors of the layer
 * (live from their producing node to their last reader inside the layer, with the node running's outputs
 * and inputs) plus the kernel's scratch buffer, at the worst node in execution order. A layer's session
 * runs its nodes in this order with no memory arena or pattern (runtime/host/onnxruntime.ts), so each
 * intermediate is its own allocation, freed after its last reader. After the last node, onnxruntime-node
 * copies each output into a JavaScript buffer before freeing its own: the outputs exist twice for a moment
 * (measured: a pointwise Conv with a 2.34 MiB output raised the peak RSS by 4.70 MiB). Unknown shapes count 0.
 */
function groupWorkspaceBytes(steps: Step[], boundary: Set<string>, shapes: ShapeTable): number {
  const bytesOf = (name: string) => {
    const type = shapes.get(name);
    return type ? dtypeFacts(type.dataType).bytes * elementCount(type.shape) : 0;
  };
  const lastRead = new Map<string, number>();
  steps.forEach((step, k) => {
    for (const name of step.inputs) lastRead.set(name, k);
  });
  const produced = new Set(steps.flatMap((s) => s.outputs));
  let outputCopies = 0;
  for (const name of boundary) outputCopies += bytesOf(name);
  let live = 0;
  let peak = 0;
  steps.forEach((step, k) => {
    const fresh = step.outputs.filter((name) => name !== "" && produced.has(name) && !boundary.has(name) && lastRead.has(name));
    const freshBytes = fresh.reduce((sum, name) => sum + bytesOf(name), 0);
    peak = Math.max(peak, live + freshBytes + kernelScratchBytes(step, shapes));
    live += freshBytes;
    for (const name of new Set(step.inputs)) {
      if (lastRead.get(name) === k && produced.has(name) && !boundary.has(name)) live -= bytesOf(name);
    }
  });
  return Math.max(peak, outputCopies);
}

/**
 * Scratch an onnxruntime CPU kernel allocates while it runs (float kernels; 0 for other operators).
 * Conv (MlasConvPrepare): pointwise without groups reads the input as the GEMM operand (none); one group at
 * batch 1 expands the input in segments of MLAS_SEGMENT_FLOATS per thread (sessions run one thread); with
 * groups or batches it expands the whole im2col matrix, kernel x Cin/group x output pixels.
 * ConvTranspose: a column buffer of kernel x Cout/group x input pixels, per image.
 */
function kernelScratchBytes(step: Step, shapes: ShapeTable): number {
  if (step.op !== "Conv" && step.op !== "ConvTranspose") return 0;
  const weight = shapes.get(step.proto.input[1] ?? "");
  const input = shapes.get(step.proto.input[0] ?? "");
  const output = shapes.get(step.proto.output[0] ?? "");
  if (!weight || !input || !output || weight.shape.length < 3) return 0;
  const element = dtypeFacts(weight.dataType).bytes;
  const kernel = weight.shape.slice(2).reduce((a, b) => a * b, 1);
  const ints = (name: string) => step.proto.attribute.find((a) => a.name === name)?.ints.map(Number) ?? [];
  const group = Number(step.proto.attribute.find((a) => a.name === "group")?.i ?? 1n);
  if (step.op === "ConvTranspose") {
    const inputPixels = input.shape.slice(2).reduce((a, b) => a * b, 1);
    return weight.shape[1]! * kernel * inputPixels * element;
  }
  const outputPixels = output.shape.slice(2).reduce((a, b) => a * b, 1);
  const batch = input.shape[0] ?? 1;
  const pointwise = kernel === 1 && ints("strides").every((s) => s === 1) && ints("pads").every((p) => p === 0);
  if (group === 1 && pointwise) return 0;
  if (group === 1 && batch === 1) return MLAS_SEGMENT_FLOATS * element;
  const k = weight.shape[1]! * kernel;
  const filtersPerGroup = weight.shape[0]! / group;
  return Math.max(outputPixels * k, filtersPerGroup * outputPixels, MLAS_SEGMENT_FLOATS) * element;
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
