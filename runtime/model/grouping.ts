// Layers as groups of steps: each node becomes a step (its weights, its flops), steps are grouped into layers (a
// weighted operator and the parameter-free ones after it), and consecutive layers merged up to a weight target. Pure.
import type { NodeProto } from "onnx-buf";
import { nodeFlops } from "./flops.ts";
import type { GraphNode, PreparedGraph } from "./graph.ts";

/** Operators that are a layer's anchor whenever one of their inputs is an initializer. */
const WEIGHTED_OPS = new Set(["Conv", "ConvTranspose", "Gemm", "MatMul"]);

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
export interface Step {
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

export interface Group {
  steps: Step[];
  tile?: { of: string; index: number; count: number };
}

export function nodeStep(node: GraphNode, graph: PreparedGraph, minWeightBytes: number, shapeOf: (n: string) => number[] | undefined): Step {
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
export function layerGroups(steps: Step[]): Group[] {
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

export function groupWeightBytes(steps: Step[]): number {
  const seen = new Map<string, number>();
  for (const step of steps) for (const w of step.weights) seen.set(w.name, w.bytes);
  let sum = 0;
  for (const bytes of seen.values()) sum += bytes;
  return sum;
}

export function mergeGroups(groups: Group[], targetBytes: number): Group[] {
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
