// Transformers split exactly: an encoder (embedding Gather, MatMul attention with Softmax, LayerNormalization,
// residual Adds, a GELU, a dynamic sequence length) and a decoder step with past keys/values as inputs, in
// float32 and float16, verified bit-identical by layer, by node, and with their large MatMuls tiled under a cap.
import { test } from "node:test";
import assert from "node:assert/strict";
import { verifyModel } from "../../../runtime/model/staged-run.ts";
import type { SplitOptions } from "../../../runtime/model/split.ts";
import { useTempCache, writeModel } from "./graph-builder.ts";
import { decoderStep, TRANSFORMER, transformerEncoder } from "./wild-models.ts";

useTempCache();

const ENCODER_SHAPES = { ids: [1, 7] };
const DECODER_SHAPES = { token: [1, 1], past_k: [1, TRANSFORMER.heads, 5, TRANSFORMER.headWidth], past_v: [1, TRANSFORMER.heads, 5, TRANSFORMER.headWidth] };

async function assertExact(path: string, options: SplitOptions) {
  const result = await verifyModel(path, options);
  for (const output of result.outputs) assert.equal(output.maxAbsDifference, 0, `${JSON.stringify(options)} ${output.name}`);
  return result.split;
}

for (const half of [false, true]) {
  const type = half ? "float16" : "float32";
  const bytes = half ? 2 : 4;
  // The feed-forward weights (width x hidden) are the largest; a cap of a third of them tiles both MatMuls.
  const capBytes = (TRANSFORMER.width * TRANSFORMER.hidden * bytes) / 3;

  test(`${type} transformer encoder (dynamic sequence length): layers, nodes and tiled MatMuls bit-identical`, async () => {
    const path = writeModel(`encoder-${type}`, transformerEncoder(half));
    const layered = await assertExact(path, { inputShapes: ENCODER_SHAPES });
    assert.ok(layered.layers.length >= 14, `${layered.layers.length} layers`);
    assert.deepEqual(layered.outputs.map((t) => `${t.dtype}[${t.shape}]`), [`${type}[1,7,${TRANSFORMER.width}]`]);
    assert.ok(layered.layers.some((l) => l.ops.includes("Softmax")) && layered.layers.some((l) => l.ops.includes("LayerNormalization")));
    await assertExact(path, { inputShapes: ENCODER_SHAPES, granularity: "node" });
    const tiled = await assertExact(path, { inputShapes: ENCODER_SHAPES, capBytes });
    const tiles = tiled.layers.filter((l) => l.tile);
    assert.ok(tiles.some((l) => l.name.startsWith("b1/f0#")) && tiles.some((l) => l.name.startsWith("b2/g0#")), tiles.map((l) => l.name).join(" "));
    assert.ok(tiled.layers.every((l) => l.weightsBytes <= capBytes));
    // Merged layers (what a scheduled run uses) keep the tiles as tiles: named and marked as such.
    const merged = await assertExact(path, { inputShapes: ENCODER_SHAPES, capBytes, granularity: "merged", mergeBytes: capBytes });
    assert.deepEqual(merged.layers.filter((l) => l.tile).map((l) => l.name), tiles.map((l) => l.name));
    // Another length is another split of the same file, as exact.
    await assertExact(path, { inputShapes: { ids: [1, 13] } });
  });

  test(`${type} decoder step with past keys/values: present keys/values returned and read on, bit-identical, tiled too`, async () => {
    const path = writeModel(`decoder-${type}`, decoderStep(half));
    const split = await assertExact(path, { inputShapes: DECODER_SHAPES });
    assert.deepEqual(split.outputs.map((t) => `${t.name}[${t.shape}]`), [
      `logits[1,1,${TRANSFORMER.vocabulary}]`, `d/present_k[1,${TRANSFORMER.heads},6,${TRANSFORMER.headWidth}]`, `d/present_v[1,${TRANSFORMER.heads},6,${TRANSFORMER.headWidth}]`,
    ]);
    await assertExact(path, { inputShapes: DECODER_SHAPES, granularity: "node" });
    const tiled = await assertExact(path, { inputShapes: DECODER_SHAPES, capBytes });
    assert.ok(tiled.layers.some((l) => l.tile));
  });
}
