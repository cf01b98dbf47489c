// A step that failed in a session worker, as one line naming the model, the layer and, when onnxruntime
// names it, the operator: what the CLI prints instead of the worker pool's stack.
import { WorkerRequestError } from "../host/workers.ts";

/** A load or exec that onnxruntime (or the worker running it) could not do; `code` says which kind. */
export class LayerRunError extends Error {
  override name = "LayerRunError";
  constructor(
    message: string,
    readonly code: "E_UNSUPPORTED_OP" | "E_LAYER_LOAD" | "E_LAYER_RUN" | "E_WORKER",
  ) {
    super(message);
  }
}

/** The operator (and node) an onnxruntime message names, if it names one. */
export function operatorOf(reason: string): { op: string; node?: string } | undefined {
  // Load: `In Node, ("frob", FrobnicateOp, "", -1) : ... No Op registered for FrobnicateOp ...`.
  const inNode = /In Node, \("([^"]*)", ([\w.]+), "([^"]*)"/.exec(reason);
  if (inNode) return { op: inNode[3] ? `${inNode[3]}:${inNode[2]}` : inNode[2]!, node: inNode[1] || undefined };
  const noOp = /No Op registered for ([\w.]+)/.exec(reason);
  if (noOp) return { op: noOp[1]! };
  // `com.example:FrobnicateOp(-1) is not a registered function/op`.
  const unregistered = /([\w.]+:[\w.]+|[\w.]+)\(-?\d+\) is not a registered function\/op/.exec(reason);
  if (unregistered) return { op: unregistered[1]! };
  const noKernel = /Could not find an implementation for ([\w.]+)\(\d+\) node with name '([^']*)'/.exec(reason);
  if (noKernel) return { op: noKernel[1]!, node: noKernel[2] || undefined };
  // Run: `Non-zero status code returned while running Reshape node. Name:'r' Status Message: ...`.
  const running = /running ([\w.]+) node\. Name:'([^']*)'/.exec(reason);
  if (running) return { op: running[1]!, node: running[2] || undefined };
  return undefined;
}

const UNSUPPORTED = /No Op registered|not a registered function\/op|Could not find an implementation|NOT_IMPLEMENTED/i;

/**
 * `error` from a load or exec of `layer` (undefined: the whole model) of network `model` (its name in the
 * scenario, its file) as a LayerRunError; anything that is not a worker's failure passes through unchanged.
 */
export function layerRunError(error: unknown, step: "load" | "exec" | "warm-up", model: { name: string; path: string }, layer: string | undefined): unknown {
  if (!(error instanceof WorkerRequestError)) return error;
  const where = `model '${model.name}' (${model.path}), ${layer === undefined ? "whole model" : `layer '${layer}'`}`;
  // The layer file's path is ours (the cache): named only when the file itself is the problem.
  const reason = error.reason.replace(/^Load model from \S+ failed:\s*/, "").replace(/^This is an invalid model\. /, "");
  // Once the operator is named, onnxruntime's node dump before it says nothing more.
  const told = reason.replace(/^In Node, \(.*?\) , Error /, "").replace(/^Fatal error: /, "");
  const operator = operatorOf(reason);
  const named = operator ? `operator '${operator.op}'${operator.node ? ` (node '${operator.node}')` : ""}` : undefined;
  if (error.op === "thread") return new LayerRunError(`${where}: ${step}: ${reason}`, "E_WORKER");
  if (step !== "exec") {
    if (named && UNSUPPORTED.test(reason)) return new LayerRunError(`${where}: onnxruntime does not implement ${named}: ${told}`, "E_UNSUPPORTED_OP");
    return new LayerRunError(`${where}: onnxruntime cannot load ${error.path ? `'${error.path}'` : "its file"}: ${reason}`, "E_LAYER_LOAD");
  }
  return new LayerRunError(`${where}: the run failed${named ? ` in ${named}` : ""}: ${reason.replace(/^.*Status Message: /, "")}`, "E_LAYER_RUN");
}
