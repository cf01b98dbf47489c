// A small real scenario for executor tests: PP-OCR's direction classifier and text detector, split into layers.
import { runBaseline } from "../../../runtime/execute/baseline.ts";
import type { RealNetwork } from "../../../runtime/execute/executor.ts";
import { networkSpecOf } from "../../../runtime/execute/layer-specs.ts";
import type { RealScenario } from "../../../runtime/execute/real-run.ts";
import { syntheticTensor } from "../../../runtime/execute/tensors.ts";
import { splitModel } from "../../../runtime/model/split.ts";
import { expandArrivals } from "../../../runtime/schedule/arrivals.ts";
import { CLS, DET } from "../host/ocr-models.ts";

export async function ocrNetworks(): Promise<RealNetwork[]> {
  const networks: RealNetwork[] = [];
  for (const [name, m, classifier] of [["cls", CLS, true], ["det", DET, false]] as const) {
    const model = await splitModel(m.path, { name, inputShapes: { [m.input]: m.shape } });
    // Bulk runs the whole model from one file pointing into the original (the baseline reads the original).
    const whole = await splitModel(m.path, { name, inputShapes: { [m.input]: m.shape }, granularity: "merged", mergeBytes: Number.MAX_SAFE_INTEGER });
    networks.push({ name, model, input: { [m.input]: syntheticTensor("float32", m.shape, 11) }, classifier, wholePath: whole.layers[0]!.path! });
  }
  return networks;
}

/** Both networks arrive `rounds` times (batch rounds). */
export function ocrScenario(networks: RealNetwork[], rounds = 2): RealScenario {
  return {
    pipeline: "ocr",
    networks: networks.map((n) => networkSpecOf(n.model)),
    arrivals: expandArrivals({ kind: "batch", rounds, gapMs: 0 }, networks.length),
    real: networks,
  };
}

export { runBaseline };
