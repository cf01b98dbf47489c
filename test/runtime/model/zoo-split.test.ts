// The zoo networks split: facts planned from weightless models (what the simulator uses) match the split
// of the generated files, and the networks run layer by layer bit-identically to the whole model.
import { statSync } from "node:fs";
import { test } from "node:test";
import assert from "node:assert/strict";
import { planLayers } from "../../../runtime/model/split-plan.ts";
import { verifyModel } from "../../../runtime/model/staged-run.ts";
import { ZOO_NETWORKS } from "../../../stdlib/names.ts";
import { zooInfo, zooModel, zooModelPath } from "../../../stdlib/zoo/index.ts";
import { useTempCache } from "./graph-builder.ts";

useTempCache();

// Whole-model runs of the 200-575 MB networks take seconds each; bench/layers verifies all ten on every run,
// and MEMA_TEST_ZOO=all verifies them here too.
const VERIFIED = process.env.MEMA_TEST_ZOO === "all" ? [...ZOO_NETWORKS] : ["agenet", "gendernet", "sos_googlenet", "tinyyolo"];

test("every zoo network plans from its weightless model: complete value_info, all weights placed", () => {
  for (const name of ZOO_NETWORKS) {
    const layers = planLayers(zooModel(name, { weights: false }));
    const info = zooInfo(name);
    assert.ok(layers.length >= 5, `${name}: ${layers.length} layers`);
    assert.equal(layers.reduce((sum, l) => sum + l.weightsBytes, 0), info.weightsBytes, `${name}: weights`);
    assert.deepEqual(layers.at(-1)!.outputs.map((t) => t.shape), [info.output.shape], `${name}: output shape`);
    assert.ok(layers.every((l) => l.inputs.every((t) => t.bytes > 0) && l.outputs.every((t) => t.bytes > 0)));
    assert.ok(layers.some((l) => l.heavy === "memory") || name === "sos_googlenet" || name === "tinyyolo", `${name}: has a memory-heavy layer`);
  }
});

test("a cap below the largest layer tiles ObjectNet's fully connected layers (planning only)", () => {
  const model = zooModel("objectnet", { weights: false });
  const largest = Math.max(...planLayers(model).map((l) => l.weightsBytes));
  const capBytes = 32 * 1024 * 1024;
  assert.ok(largest > capBytes);
  const layers = planLayers(model, { capBytes });
  assert.ok(layers.every((l) => l.weightsBytes <= capBytes));
  assert.ok(layers.filter((l) => l.tile).length > 3);
});

for (const name of VERIFIED) {
  test(`zoo ${name}: layer by layer is bit-identical to the whole model, and matches the weightless plan`, async () => {
    const path = await zooModelPath(name);
    const { split, outputs } = await verifyModel(path, { name });
    for (const output of outputs) assert.equal(output.maxAbsDifference, 0, `${name} ${output.name}`);
    const planned = planLayers(zooModel(name, { weights: false }));
    assert.deepEqual(split.layers.map(({ path: _p, reads: _r, ...facts }) => facts), planned);
    // What a load reads: the layer's file whole, then its weights' bytes in the original (all but those
    // small enough to sit inline in the layer file), no byte twice.
    for (const layer of split.layers) {
      const [own, ...weights] = layer.reads!;
      assert.deepEqual(own, { file: layer.path, offset: 0, length: statSync(layer.path!).size }, `${name} ${layer.name}`);
      const weightBytes = weights.reduce((n, r) => n + r.length, 0);
      assert.ok(weightBytes <= layer.weightsBytes && weightBytes >= layer.weightsBytes - 64 * 1024, `${name} ${layer.name}: reads ${weightBytes} of ${layer.weightsBytes} weight bytes`);
      for (let i = 1; i < weights.length; i++) assert.ok(weights[i]!.file !== weights[i - 1]!.file || weights[i]!.offset > weights[i - 1]!.offset + weights[i - 1]!.length, "ranges apart");
    }
  });
}

test("zoo tinyyolo under a 4 MiB cap: Conv tiles stay bit-identical (one intra-op thread)", async () => {
  const path = await zooModelPath("tinyyolo");
  const { split, outputs } = await verifyModel(path, { name: "tinyyolo", capBytes: 4 * 1024 * 1024 });
  assert.ok(split.layers.filter((l) => l.tile).length >= 4, "some Conv layers are tiled");
  for (const output of outputs) assert.equal(output.maxAbsDifference, 0);
});
