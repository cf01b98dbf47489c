// What Mema knows about a model once split into layers: the unit of loading and executing.

/** A tensor crossing a layer boundary, with concrete shape (symbolic dims resolved). */
export interface TensorInfo {
  name: string;
  /** onnxruntime's tensor type name: "float32", "int64", "uint8", ... */
  dtype: string;
  shape: number[];
  bytes: number;
}

/** Bytes `offset .. offset + length` of `file`. */
export interface FileRange {
  file: string;
  offset: number;
  length: number;
}

/** One layer: a load step (read its weights, create its session) and an exec step (run it). */
export interface LayerInfo {
  index: number;
  /** Taken from the original node names (the first weighted node, else the first node). */
  name: string;
  /** Original node names, in order: device profiles are matched on them. */
  nodes: string[];
  ops: string[];
  /** Tensors consumed from outside the layer: graph inputs or other layers' outputs (no weights). */
  inputs: TensorInfo[];
  /** Tensors produced here and consumed by later layers or returned as graph outputs. */
  outputs: TensorInfo[];
  weightsBytes: number;
  /** Bytes of `outputs`. */
  activationBytes: number;
  /**
   * Estimated bytes the exec holds beyond its inputs and `outputs` while it runs: intermediate tensors inside
   * the layer and kernel scratch (im2col), at the worst node. Absent when 0. The ledger reserves it for the
   * exec's duration.
   */
  execWorkspaceBytes?: number;
  /** Multiply-accumulates x 2 (estimate from shapes); 0 when unknown. */
  flops: number;
  /** memory-heavy: loading dominates (weights large for the compute); compute-heavy: the reverse. */
  heavy: "memory" | "compute";
  /** Nodes with subgraphs (If, Loop, Scan) the layer holds whole: how many nodes they hold inside, and why not split. */
  controlFlow?: { node: string; op: string; nodes: number; reason: string }[];
  /** Set when a layer too large for the cap was cut into tiles. */
  tile?: { of: string; index: number; count: number };
  /** The layer's own ONNX file (external data pointing into the original model). */
  path?: string;
  /**
   * What loading the layer reads: its file, then its weights' byte ranges in the files they live in (the
   * original model, linked into the artifact folder), joined where they touch. A load step reads these
   * before it creates the session, so that the exec finds every weight in memory.
   */
  reads?: FileRange[];
  /** Medians measured by `mema profile`, when profiled. */
  loadMs?: number;
  execMs?: number;
}

export interface SplitModel {
  /** Zoo name or file name. */
  name: string;
  /** The original ONNX file. */
  path: string;
  /** Content hash of the original file: the artifact cache key. */
  sha256: string;
  inputs: TensorInfo[];
  outputs: TensorInfo[];
  layers: LayerInfo[];
  weightsBytes: number;
  /** If nodes whose condition is a constant, replaced by the branch they take (split like the rest). */
  inlined?: { node: string; branch: "then_branch" | "else_branch"; nodes: number }[];
}
