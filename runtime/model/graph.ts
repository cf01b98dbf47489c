// A model's main graph made ready for splitting: Constant weights hoisted, If nodes whose condition is a constant
// replaced by their taken branch, nodes in topological order, subgraph captures made explicit. Pure: no file access.
import { clone, create } from "@bufbuild/protobuf";
import {
  AttributeProto_AttributeType as AttributeType,
  type GraphProto,
  type ModelProto,
  type NodeProto,
  NodeProtoSchema,
  type TensorProto,
  TensorProto_DataLocation,
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
  /** For a node kept whole with its subgraphs: how many nodes they hold (nested ones too) and why it is not split. */
  keptWhole?: { nodes: number; reason: string };
}

/** An If whose condition is a constant, replaced by the nodes of the branch it takes. */
export interface InlinedBranch {
  node: string;
  branch: "then_branch" | "else_branch";
  /** Nodes of the branch (nested subgraphs' nodes counted). */
  nodes: number;
}

/** A weight: a graph initializer or a hoisted Constant. `proto` may hold no data (planning without weights). */
export interface WeightTensor {
  name: string;
  dataType: number;
  dims: number[];
  bytes: number;
  proto: TensorProto;
  /**
   * Where its bytes come from: an initializer, the `value` of the Constant node at `fileIndex`, or `proto` itself
   * (an initializer or Constant of an inlined If branch: not found by name or position in the file).
   */
  origin: { kind: "initializer" } | { kind: "constant"; fileIndex: number } | { kind: "inlined" };
}

export interface PreparedGraph {
  model: ModelProto;
  /** Topological order, stable: among ready nodes the one listed first in the file goes first. */
  nodes: GraphNode[];
  weights: Map<string, WeightTensor>;
  /** Graph inputs that are not initializers: what a caller feeds. */
  inputs: string[];
  outputs: string[];
  /** If nodes replaced by their taken branch (their nodes are in `nodes`, their weights in `weights`). */
  inlined: InlinedBranch[];
}

export function prepareGraph(model: ModelProto): PreparedGraph {
  const graph = model.graph;
  if (!graph) throw new ModelError("model has no graph", "E_MODEL_FILE");
  const weights = new Map<string, WeightTensor>();
  for (const init of graph.initializer) {
    weights.set(init.name, weightOf(init, { kind: "initializer" }));
  }
  const nodes: GraphNode[] = [];
  const inlined: InlinedBranch[] = [];
  const introduced = new Set<string>();
  // Constants first (a condition may be defined after its If in the file), then the other nodes, each If with a
  // constant condition replaced by its branch, which goes through the same steps (nested Ifs, Constants).
  const add = (protos: NodeProto[], fileIndexOf: (k: number) => number, origin: (k: number) => WeightTensor["origin"]) => {
    const rest: number[] = [];
    protos.forEach((proto, k) => {
      const hoisted = proto.opType === "Constant" && proto.domain === "" ? constantTensor(proto) : undefined;
      if (hoisted) weights.set(hoisted.name, weightOf(hoisted, origin(k)));
      else rest.push(k);
    });
    for (const k of rest) {
      const proto = protos[k]!;
      const fileIndex = fileIndexOf(k);
      const name = proto.name || `${proto.opType}(${proto.output[0] ?? fileIndex})`;
      const hasSubgraphs = proto.attribute.some((a) => a.g !== undefined || a.graphs.length > 0);
      const condition = proto.opType === "If" && proto.domain === "" ? constantCondition(proto.input[0] ?? "", weights, inputsOf(graph)) : undefined;
      if (condition && "value" in condition) {
        const branchName = condition.value ? "then_branch" : "else_branch";
        const branch = proto.attribute.find((a) => a.name === branchName)?.g;
        const refused = branch ? uninlinable(branch) : `it has no ${branchName}`;
        if (branch && !refused) {
          const taken = allNames(graph, proto);
          for (const n of introduced) taken.add(n);
          const inner = inlineBranch(proto, name, branch, taken);
          for (const n of [...inner.nodes.flatMap((x) => x.output), ...inner.initializers.map((t) => t.name)]) introduced.add(n);
          inlined.push({ node: name, branch: branchName, nodes: countNodes(branch.node) });
          for (const tensor of inner.initializers) weights.set(tensor.name, weightOf(tensor, { kind: "inlined" }));
          // The branch's nodes take the If's place in the order (ties keep their order: insertByFileIndex).
          add(inner.nodes, () => fileIndex, () => ({ kind: "inlined" }));
          continue;
        }
        condition.why = `its condition is constant (${condition.value}), but ${refused}`;
      }
      const captured = [...capturedNames(proto)];
      const inputs = [...new Set([...proto.input.filter((n) => n !== ""), ...captured])];
      const node: GraphNode = {
        fileIndex, proto, name, op: proto.opType, inputs, outputs: proto.output.filter((n) => n !== ""), hasSubgraphs,
      };
      if (hasSubgraphs) node.keptWhole = { nodes: countNodes([proto]) - 1, reason: condition?.why ?? keptWholeReason(proto.opType) };
      nodes.push(node);
    }
  };
  add(graph.node, (k) => k, (k) => ({ kind: "constant", fileIndex: k }));
  const inputs = graph.input.map((i) => i.name).filter((name) => !weights.has(name));
  const outputs = graph.output.map((o) => o.name);
  return { model, nodes: topologicalOrder(nodes, new Set([...inputs, ...weights.keys()])), weights, inputs, outputs, inlined };
}

function inputsOf(graph: GraphProto): Set<string> {
  return new Set(graph.input.map((i) => i.name));
}

/** Why a node with subgraphs other than an If is not split (an If says so from its condition). */
function keptWholeReason(op: string): string {
  if (op === "Loop") return "a Loop runs its body a number of times known only when the model runs";
  if (op === "Scan") return "a Scan runs its body once per slice of its inputs";
  return `mema does not split inside a ${op}'s subgraph`;
}

/** An If's condition: its value when a constant of the model file holds it, else why it is not known before the run. */
function constantCondition(name: string, weights: Map<string, WeightTensor>, inputs: Set<string>): { value: boolean; why?: string } | { why: string } {
  const weight = weights.get(name);
  if (!weight) {
    return { why: inputs.has(name) ? `its condition '${name}' is an input of the model, known only when it runs` : `its condition '${name}' is computed when the model runs` };
  }
  const proto = weight.proto;
  const count = weight.dims.reduce((n, d) => n * d, 1);
  let value: boolean | undefined;
  if (count === 1 && proto.dataLocation !== TensorProto_DataLocation.EXTERNAL) {
    if (proto.rawData.length > 0) value = proto.rawData.some((b) => b !== 0);
    else if (proto.int32Data.length === 1) value = proto.int32Data[0] !== 0;
    else if (proto.int64Data.length === 1) value = proto.int64Data[0] !== 0n;
    else if (proto.floatData.length === 1) value = proto.floatData[0] !== 0;
  }
  return value === undefined ? { why: `its condition '${name}' is a constant whose value the model file does not hold` } : { value };
}

/** Why a branch cannot join the main graph, or undefined when it can. */
function uninlinable(branch: GraphProto): string | undefined {
  if (branch.sparseInitializer.length > 0) return "its branch has sparse initializers";
  const tensors = [...branch.initializer, ...branch.node.flatMap((n) => n.attribute.flatMap((a) => (a.t ? [a.t] : [])))];
  if (tensors.some((t) => t.dataLocation === TensorProto_DataLocation.EXTERNAL)) return "its branch keeps weights in external data";
  return undefined;
}

/** Nodes of a list, and of their subgraphs, recursively. */
function countNodes(nodes: NodeProto[]): number {
  let count = 0;
  for (const node of nodes) {
    count++;
    for (const attr of node.attribute) for (const sub of attr.g ? [attr.g, ...attr.graphs] : attr.graphs) count += countNodes(sub.node);
  }
  return count;
}

/**
 * Every value name of a graph and its subgraphs but those of `except` (the If being inlined): a name its branch
 * brings into the main graph must be none of them (onnxruntime wants one name per value across scopes).
 */
function allNames(graph: GraphProto, except?: NodeProto, into = new Set<string>()): Set<string> {
  for (const v of [...graph.input, ...graph.output, ...graph.valueInfo]) into.add(v.name);
  for (const t of graph.initializer) into.add(t.name);
  for (const node of graph.node) {
    for (const name of [...node.input, ...node.output]) into.add(name);
    if (node === except) continue;
    for (const attr of node.attribute) for (const sub of attr.g ? [attr.g, ...attr.graphs] : attr.graphs) allNames(sub, undefined, into);
  }
  return into;
}

/**
 * An If's branch as main-graph nodes and initializers. Each branch output produced by a branch node is renamed
 * to the If output it becomes; one that is not (an outer value, an initializer, a value given twice) gets an
 * Identity. Other branch values keep their names unless the model uses them elsewhere, then `NAME::IFNAME`.
 * Outer-scope names the branch reads stay as they are, as do the names nested subgraphs define themselves.
 */
function inlineBranch(ifProto: NodeProto, ifName: string, branch: GraphProto, taken: Set<string>): { nodes: NodeProto[]; initializers: TensorProto[] } {
  const producedByNode = new Set(branch.node.flatMap((n) => n.output).filter((n) => n !== ""));
  const rename = new Map<string, string>();
  branch.output.forEach((out, k) => {
    const target = ifProto.output[k];
    if (target && producedByNode.has(out.name) && !rename.has(out.name)) rename.set(out.name, target);
  });
  for (const name of [...branch.initializer.map((t) => t.name), ...producedByNode, ...branch.input.map((i) => i.name)]) {
    if (rename.has(name)) continue;
    let fresh = name;
    for (let n = 2; taken.has(fresh); n++) fresh = `${name}::${ifName}${n === 2 ? "" : n}`;
    taken.add(fresh);
    rename.set(name, fresh);
  }
  const renamed = (name: string) => rename.get(name) ?? name;
  const nodes = branch.node.map((n) => {
    const node = clone(NodeProtoSchema, n);
    node.input = node.input.map(renamed);
    node.output = node.output.map(renamed);
    renameCaptures(node, rename);
    return node;
  });
  branch.output.forEach((out, k) => {
    const target = ifProto.output[k];
    if (!target || renamed(out.name) === target) return;
    nodes.push(create(NodeProtoSchema, { name: `${ifName}::${target}`, opType: "Identity", input: [renamed(out.name)], output: [target] }));
  });
  const initializers = branch.initializer.map((t) => {
    const tensor = clone(TensorProtoSchema, t);
    tensor.name = renamed(t.name);
    return tensor;
  });
  return { nodes, initializers };
}

/** Renames outer-scope names read inside a node's subgraphs, except where a subgraph defines the name itself. */
function renameCaptures(node: NodeProto, rename: Map<string, string>): void {
  for (const attr of node.attribute) {
    for (const sub of attr.g ? [attr.g, ...attr.graphs] : attr.graphs) {
      const local = new Set([...sub.input.map((i) => i.name), ...sub.initializer.map((t) => t.name), ...sub.node.flatMap((n) => n.output)]);
      const outer = new Map([...rename].filter(([name]) => !local.has(name)));
      if (outer.size === 0) continue;
      for (const inner of sub.node) {
        inner.input = inner.input.map((name) => outer.get(name) ?? name);
        renameCaptures(inner, outer);
      }
      for (const out of sub.output) out.name = outer.get(out.name) ?? out.name;
    }
  }
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
