// Workspace estimates: the bytes a layer's exec holds beyond its inputs and outputs (intermediate tensors, kernel
// scratch, onnxruntime-node's copy of the outputs), so that the ledger and the simulator count them. Pure.
import { dtypeFacts, elementCount } from "./dtypes.ts";
import type { Step } from "./grouping.ts";
import type { ShapeTable } from "./shapes.ts";

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
export function groupWorkspaceBytes(steps: Step[], boundary: Set<string>, shapes: ShapeTable): number {
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
