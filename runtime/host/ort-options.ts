// Mema's session settings as onnxruntime-node options: the exact options with the run's settings on top.
// Used by the session workers and the baseline loop alike. onnxruntime-node is imported for its types only:
// the main thread of a scheduled run builds these options for its workers and never loads onnxruntime itself
// (measured under tsx: importing it costs the main thread ~12-14 MiB of RSS).
import type ort from "onnxruntime-node";
import type { SessionSettings } from "./session-protocol.ts";

/**
 * Session options under which a model run layer by layer gives the same bits as run whole.
 *
 * - graphOptimizationLevel "disabled": with "basic" and above onnxruntime fuses nodes (Conv+BatchNorm
 *   folding, Conv+Add+Relu fusion, MatMul+Add into Gemm, constant folding) and "extended"/"all" also
 *   rewrites layouts (NCHWc) and picks fused kernels. A fusion only happens when both nodes are in one
 *   session, so the whole model and its layers would take different kernels: results differ in the last
 *   bits (folded BatchNorm weights are rounded once, fused kernels accumulate in another order). "all" is
 *   typically 10-30% faster on convolutional models; the price is bit-exactness between staged and whole runs.
 * - enableCpuMemArena false, enableMemPattern false: no effect on results; they make `release` hand memory
 *   back to the OS and keep a session's footprint at what it uses, which a memory budget needs. The arena
 *   would make repeated runs a little faster and keep its peak allocation until the session is released.
 * - executionMode "sequential": nodes run one after another, as the layers do.
 * - prepacking left on (onnxruntime's default): Gemm/MatMul then run on B packed in fixed 256-deep K blocks,
 *   so an output feature's sum does not depend on how many features the session computes, which keeps
 *   tiles (cut along output features) exact. With `session.disable_prepacking` MLAS packs B per call with a
 *   K block that grows as N shrinks (and N is split per thread by problem size): measured here, a Gemm tile
 *   of 23 features then differs from the whole by 4.8e-7. Disabling it loads much faster (ObjectNet's layers
 *   ~25 ms instead of ~600-900 ms, weights not copied) and stays exact as long as no Gemm/MatMul is tiled and
 *   the whole-model baseline uses the same setting.
 * - intraOpNumThreads 1: with more threads MLAS splits a GEMM (a Conv's im2col product too) into per-thread
 *   column blocks sized by the problem's size, and the depth of the K blocks it accumulates in follows the
 *   block width. A tile has fewer output channels, hence other blocks: measured here, TinyYolo with a 4 MiB
 *   cap differs from the whole by 4.9e-6 at 2 threads and is bit-identical at 1. Untiled layers match the
 *   whole model at any thread count as long as both use the same (every zoo network verified at 2 threads),
 *   so a caller that never tiles may raise it for speed. Several networks running side by side (Mema's case)
 *   keep the cores busy with one thread each anyway.
 */
export const EXACT_SESSION_OPTIONS: ort.InferenceSession.SessionOptions = {
  graphOptimizationLevel: "disabled",
  enableCpuMemArena: false,
  enableMemPattern: false,
  executionMode: "sequential",
  executionProviders: ["cpu"],
  intraOpNumThreads: 1,
};


export function ortSessionOptions(settings: SessionSettings): typeof EXACT_SESSION_OPTIONS {
  const { disablePrepacking, ...plain } = settings;
  const result: typeof EXACT_SESSION_OPTIONS = { ...EXACT_SESSION_OPTIONS, ...plain };
  if (disablePrepacking !== undefined) result.extra = { session: { disable_prepacking: disablePrepacking ? "1" : "0" } };
  return result;
}
