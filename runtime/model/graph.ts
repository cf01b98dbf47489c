// A model's main graph made ready for splitting: Constant weights hoisted, nodes in topological order,
// subgraph captures made explicit. Pure: no file access.
import { clone, create } from "@bufbuild/protobuf";
import {
  AttributeProto_AttributeType as AttributeType,
  type GraphProto,
  type ModelProto,
  type NodeProto,
  type TensorProto,
  TensorProtoSchema,
} from "onnx-buf";
import { DataType, tensorBytes } from "./dtypes.ts";
import { ModelError } from "./errors.ts";

export interface GraphNode {
  /** Position in the file's node list (Constant nodes included). */
  fileIndex: number;
  proto: NodeProto;
  /** The node's name, or `op(first output)` when the file gives none. */
  name: string;
  op: string;
  /** Values read: the node's inputs plus the outer-scope values its subgraphs capture ("" dropped). */
  inputs: string[];
  outputs: string[];
  /** True for If/Loop/Scan and others carrying subgraphs: kept whole in one layer. */
  hasSubgraphs: boolean;
}

/** A weight: a graph initializer or a hoisted Constant. `proto` may hold no data (planning without weights). */
export interface WeightTensor {
  name: string;
  dataType: number;
  dims: number[];
  bytes: number;
  proto: TensorProto;
  /** Where its bytes come from: an initializer, or the `value` of the Constant node at `fileIndex`. */
  origin: { kind: "initializer" } | { kind: "constant"; fileIndex: number };
}

export interface PreparedGraph {
  model: ModelProto;
  /** Topological order, stable: among ready nodes the one listed first in the file goes first. */
  nodes: GraphNode[];
  weights: Map<string, WeightTensor>;
  /** Graph inputs that are not initializers: what a caller feeds. */
  inputs: string[];
  outputs: string[];
}

export function prepareGraph(model: ModelProto): PreparedGraph {
  const graph = model.graph;
  if (!graph) throw new ModelError("model has no graph", "E_MODEL_FILE");
  const weights = new Map<string, WeightTensor>();
  for (const init of graph.initializer) {
    weights.set(init.name, weightOf(init, { kind: "initializer" }));
  }
  const nodes: GraphNode[] = [];
  graph.node.forEach((proto, fileIndex) => {
    const hoisted = proto.opType === "Constant" && proto.domain === "" ? constantTensor(proto) : undefined;
    if (hoisted) {
      weights.set(hoisted.name, weightOf(hoisted, { kind: "constant", fileIndex }));
      return;
    }
    const captured = [...capturedNames(proto)];
    const inputs = [...new Set([...proto.input.filter((name) => name !== ""), ...captured])];
    nodes.push({
      fileIndex,
      proto,
      name: proto.name || `${proto.opType}(${proto.output[0] ?? fileIndex})`,
      op: proto.opType,
      inputs,
      outputs: proto.output.filter((name) => name !== ""),
      hasSubgraphs: proto.attribute.some((a) => a.g !== undefined || a.graphs.length > 0),
    });
  });
  const inputs = graph.input.map((i) => i.name).filter((name) => !weights.has(name));
  const outputs = graph.output.map((o) => o.name);
  return { model, nodes: topologicalOrder(nodes, new Set([...inputs, ...weights.keys()])), weights, inputs, outputs };
}

function weightOf(proto: TensorProto, origin: WeightTensor["origin"]): WeightTensor {
  const dims = proto.dims.map(Number);
  return { name: proto.name, dataType: proto.dataType, dims, bytes: tensorBytes(proto.dataType, dims), proto, origin };
}

/** A Constant node's value as a named TensorProto; undefined for kinds kept as nodes (strings, sparse). */
function constantTensor(node: NodeProto): TensorProto | undefined {
  const name = node.output[0];
  const attr = node.attribute[0];
  if (!name || !attr || node.attribute.length !== 1) return undefined;
  switch (attr.name) {
    case "value":
      if (!attr.t || attr.t.dataType === DataType.STRING) return undefined;
      {
        // clone, not spread: proto3 defaults live on the prototype and a spread would drop them.
        const tensor = clone(TensorProtoSchema, attr.t);
        tensor.name = name;
        return tensor;
      }
    case "value_float":
      return create(TensorProtoSchema, { name, dataType: DataType.FLOAT, dims: [], floatData: [attr.f] });
    case "value_floats":
      return create(TensorProtoSchema, {
        name, dataType: DataType.FLOAT, dims: [BigInt(attr.floats.length)], floatData: attr.floats,
      });
    case "value_int":
      return create(TensorProtoSchema, { name, dataType: DataType.INT64, dims: [], int64Data: [attr.i] });
    case "value_ints":
      return create(TensorProtoSchema, {
        name, dataType: DataType.INT64, dims: [BigInt(attr.ints.length)], int64Data: attr.ints,
      });
    default:
      return undefined;
  }
}

/** Outer-scope values read by a node's subgraphs (recursively): they become inputs of its layer. */
function capturedNames(node: NodeProto): Set<string> {
  const captured = new Set<string>();
  for (const attr of node.attribute) {
    if (attr.type !== AttributeType.GRAPH && attr.type !== AttributeType.GRAPHS && !attr.g && attr.graphs.length === 0) continue;
    for (const sub of attr.g ? [attr.g, ...attr.graphs] : attr.graphs) {
      for (const name of subgraphCaptures(sub)) captured.add(name);
    }
  }
  return captured;
}

function subgraphCaptures(graph: GraphProto): Set<string> {
  const defined = new Set<string>([
    ...graph.input.map((i) => i.name),
    ...graph.initializer.map((t) => t.name),
    ...graph.node.flatMap((n) => n.output),
  ]);
  const used = new Set<string>();
  for (const node of graph.node) {
    for (const name of node.input) if (name !== "") used.add(name);
    for (const name of capturedNames(node)) used.add(name);
  }
  for (const name of graph.output.map((o) => o.name)) used.add(name);
  return new Set([...used].filter((name) => !defined.has(name)));
}

function topologicalOrder(nodes: GraphNode[], available: Set<string>): GraphNode[] {
  const producer = new Map<string, GraphNode>();
  for (const node of nodes) {
    for (const name of node.outputs) {
      if (producer.has(name)) {
        throw new ModelError(`value '${name}' is produced by two nodes ('${producer.get(name)!.name}', '${node.name}')`, "E_MODEL_GRAPH");
      }
      producer.set(name, node);
    }
  }
  const waitingOn = new Map<GraphNode, number>();
  const consumers = new Map<string, GraphNode[]>();
  for (const node of nodes) {
    let pending = 0;
    for (const name of node.inputs) {
      if (available.has(name)) continue;
      if (!producer.has(name)) {
        throw new ModelError(`node '${node.name}' (${node.op}) reads '${name}', which no node, input or initializer provides`, "E_MODEL_GRAPH");
      }
      pending++;
      const list = consumers.get(name) ?? [];
      list.push(node);
      consumers.set(name, list);
    }
    waitingOn.set(node, pending);
  }
  // Ready nodes are kept sorted by file position, so an already-sorted file keeps its order.
  const ready = nodes.filter((n) => waitingOn.get(n) === 0);
  const ordered: GraphNode[] = [];
  while (ready.length > 0) {
    const node = ready.shift()!;
    ordered.push(node);
    for (const name of node.outputs) {
      for (const consumer of consumers.get(name) ?? []) {
        const left = waitingOn.get(consumer)! - 1;
        waitingOn.set(consumer, left);
        if (left === 0) insertByFileIndex(ready, consumer);
      }
    }
  }
  if (ordered.length !== nodes.length) {
    const stuck = nodes.find((n) => waitingOn.get(n)! > 0)!;
    throw new ModelError(`graph has a cycle through node '${stuck.name}' (${stuck.op})`, "E_MODEL_GRAPH");
  }
  return ordered;
}

function insertByFileIndex(list: GraphNode[], node: GraphNode): void {
  let at = list.length;
  while (at > 0 && list[at - 1]!.fileIndex > node.fileIndex) at--;
  list.splice(at, 0, node);
}
