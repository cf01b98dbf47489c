// Tiling: a layer whose weights exceed the cap is cut into tiles of its Conv/ConvTranspose/Gemm/MatMul, each
// computing a range of output features from a slice of the weights, and a Concat of their outputs. Pure.
import { clone, create } from "@bufbuild/protobuf";
import { AttributeProto_AttributeType, AttributeProtoSchema, type NodeProto, NodeProtoSchema, TensorProtoSchema } from "onnx-buf";
import { DataType, tensorBytes } from "./dtypes.ts";
import { ModelError } from "./errors.ts";
import { type Group, groupWeightBytes, type LayerWeight, type Step } from "./grouping.ts";
import type { ShapeTable } from "./shapes.ts";

/** Tiles start on multiples of this many output features whenever the cap leaves room for that many. */
export const TILE_ALIGN_FEATURES = 16;

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
export function tileGroup(group: Group, capBytes: number, shapes: ShapeTable, opset: number): Group[] {
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
