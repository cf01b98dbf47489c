// A pipeline of models from the wild next to a CNN, run for real under a memory budget: AgeNet (a zoo CNN whose
// fc6 must run as tiles under 12 MB), a float16 U-Net, a transformer encoder and a decoder step (float32 and
// float16). Each network's answer under the policy equals the plain whole-model loop's (the baseline).
import { test } from "node:test";
import assert from "node:assert/strict";
import { run } from "../../../index.ts";
import { useTempCache, writeModel } from "./graph-builder.ts";
import { decoderStep, halfUnet, TRANSFORMER, transformerEncoder } from "./wild-models.ts";

useTempCache();

test("a .mema pipeline of a CNN, a float16 U-Net and transformers runs under 12 MB with the whole models' answers", async () => {
  const { heads: H, headWidth: dh } = TRANSFORMER;
  const path = (name: string, proto: Parameters<typeof writeModel>[1]) => JSON.stringify(writeModel(name, proto));
  const scenario = `pipeline wild {
  model agenet;
  model unet from ${path("unet16", halfUnet())};
  model encoder from ${path("encoder", transformerEncoder())} { shapes: { ids: [1, 9] } };
  model encoder16 from ${path("encoder16", transformerEncoder(true))} { shapes: { ids: [1, 9] } };
  model decoder16 from ${path("decoder16", decoderStep(true))} { shapes: { token: [1, 1], past_k: [1, ${H}, 5, ${dh}], past_v: [1, ${H}, 5, ${dh}] }, seed: 3 };
  memory 12MB;
  policy mema;
  workers 2;
  arrivals batch 2;
}`;
  const [baseline, report] = await run(scenario, { baseline: true });
  assert.equal(report!.simulated, false);
  assert.equal(report!.memoryBudgetBytes, 12e6);
  assert.ok(report!.peakAccountedBytes <= 12e6, `peak ${report!.peakAccountedBytes}`);
  assert.ok(report!.steps.some((s) => /^fc6#\d+\/\d+$/.test(s.layer)), "AgeNet's fc6 ran as tiles");
  const answers = (r: typeof report) => r!.networks.map((n) => `${n.name}:${n.outputDigest}`).sort();
  assert.equal(report!.networks.length, 10);
  assert.deepEqual(answers(report), answers(baseline));
});
