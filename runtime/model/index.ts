// Model splitting's public surface. Planning is pure and loads eagerly; everything that touches files or
// onnxruntime loads on first call, so importing the library does not load the native addon.
import type { LayerProfile } from "./profile.ts";
import type { LoadedLayer, Verification } from "./staged-run.ts";
import type { SplitOptions } from "./split.ts";
import type { LayerInfo, SplitModel } from "./types.ts";

export type { LayerInfo, SplitModel, TensorInfo } from "./types.ts";
export { planLayers, planSplit, missingShapes, HEAVY_BYTES_PER_FLOP, DEFAULT_MERGE_BYTES, type Granularity, type PlanOptions, type LayerPlan } from "./split-plan.ts";
export { parseShapeSpec, type ShapeTable, type TensorType } from "./shapes.ts";
export { decodeModel, encodeModel } from "./onnx-file.ts";
export { ModelError } from "./errors.ts";
export { seededInputs, type InputData } from "./seeded-inputs.ts";
export type { SplitOptions, LayerProfile, LoadedLayer, Verification };

/** Splits an .onnx file into per-layer files (cached by content hash); see runtime/model/split.ts. */
export async function splitModel(path: string, options: SplitOptions = {}): Promise<SplitModel> {
  return (await import("./split.ts")).splitModel(path, options);
}

/** Load step of a layer: creates its onnxruntime session from its file (exec = run, free = release). */
export async function loadLayer(layer: LayerInfo): Promise<LoadedLayer> {
  return (await import("./staged-run.ts")).loadLayer(layer);
}

/** Runs a model whole and layer by layer on seeded inputs; max abs difference per output. */
export async function verifyModel(path: string, options: SplitOptions = {}, seed = 42): Promise<Verification> {
  return (await import("./staged-run.ts")).verifyModel(path, options, seed);
}

/** Per-layer load/exec medians on this machine ("mema-layer-profile/1"). */
export async function profileModel(split: SplitModel, runs = 5, seed = 42): Promise<LayerProfile> {
  return (await import("./profile.ts")).profileModel(split, runs, seed);
}
