// Device profiles: rpi4 keeps EdgeCaffe's measurements, estimates the rest consistently, and prices Mema layers.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { planLayers } from "../../runtime/model/split-plan.ts";
import { ZOO_NETWORKS } from "../../stdlib/names.ts";
import {
  estimateLayer,
  layerTimes,
  loadDeviceProfile,
  ProfileError,
  splitModelTimes,
  type MeasuredLayerProfile,
} from "../../stdlib/profiles/index.ts";
import { caffeLayerOf, zooGraph, zooInfo, zooModel } from "../../stdlib/zoo/index.ts";

const rpi4 = loadDeviceProfile("rpi4");
const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0);

test("rpi4 keeps EdgeCaffe's measured layers, in ms", () => {
  const age = rpi4.networks.agenet!;
  const conv1 = age.entries.find((e) => e.name === "conv1")!;
  assert.deepEqual([conv1.loadMs, conv1.execMs, conv1.estimated, conv1.weightsBytes], [0.745, 11.007, false, 56961]);
  // reference/edgecaffe.md section 7: AgeNet Σload 484,457 µs, Σexec 157,279 µs (input layer included).
  assert.ok(Math.abs(sum(age.entries.map((e) => e.loadMs)) + age.init!.loadMs - 484.457) < 0.01);
  assert.ok(Math.abs(sum(age.entries.map((e) => e.execMs)) + age.init!.execMs - 157.279) < 0.01);
  assert.equal(rpi4.networks.facenet!.measured, true);
  assert.deepEqual(age.maxMemoryMB, { valgrind: 161.74, "valgrind-050": 80, "valgrind-075": 121, "valgrind-125": 201, "valgrind-150": 242, rss: 303 });
});

test("rpi4 covers the ten networks with EdgeCaffe's weight sizes", () => {
  assert.deepEqual(Object.keys(rpi4.networks).sort(), [...ZOO_NETWORKS].sort());
  for (const name of ZOO_NETWORKS) {
    assert.equal(rpi4.networks[name]!.weightsBytes, zooInfo(name).edgecaffeWeightsBytes, name);
  }
});

test("unmeasured networks are estimated, marked, and scaled to their mean-execution-time", () => {
  for (const name of ZOO_NETWORKS) {
    const net = rpi4.networks[name]!;
    if (net.measured) continue;
    assert.ok(net.entries.every((e) => e.estimated && e.execMs > 0 && e.loadMs > 0), `${name}: all estimated and positive`);
    const exec = sum(net.entries.map((e) => e.execMs)) + (net.init?.execMs ?? 0);
    if (net.meanExecutionMs !== undefined) {
      assert.ok(Math.abs(exec / net.meanExecutionMs - 1) < 0.001, `${name}: Σexec ${exec} vs ${net.meanExecutionMs}`);
    } else {
      assert.equal(net.execScale, zooInfo(name).caffeBatch, `${name}: scaled by its batch`);
    }
    // Bigger layers load longer: the estimate is monotone in bytes.
    const byBytes = [...net.entries].sort((a, b) => a.weightsBytes! - b.weightsBytes!);
    for (let i = 1; i < byBytes.length; i++) assert.ok(byBytes[i]!.loadMs >= byBytes[i - 1]!.loadMs, `${name}: load order`);
  }
});

test("the estimation model reproduces the measured AgeNet it was calibrated on (within 25%)", () => {
  const model = rpi4.estimation!;
  const age = rpi4.networks.agenet!;
  let estimated = 0;
  for (const e of age.entries) estimated += model.execOverheadMs + model.execMsPerWork[e.type!]! * (e.flops || 0);
  const measured = sum(age.entries.map((e) => e.execMs));
  assert.ok(Math.abs(estimated / measured - 1) < 0.25, `estimated ${estimated} vs measured ${measured}`);
  const load = sum(age.entries.map((e) => model.loadOverheadMs + model.loadMsPerByte * e.weightsBytes!));
  assert.ok(Math.abs(load / sum(age.entries.map((e) => e.loadMs)) - 1) < 0.25, `load ${load}`);
});

test("every zoo node name that is a Caffe layer has an rpi4 entry, and every entry a node", () => {
  for (const name of ZOO_NETWORKS) {
    const entries = new Set(rpi4.networks[name]!.entries.filter((e) => e.type !== "Split").map((e) => e.name));
    const layers = new Set(zooGraph(name).nodes.map((n) => caffeLayerOf(n.name)));
    assert.deepEqual([...layers].filter((l) => !entries.has(l)), [], `${name}: nodes without entry`);
    assert.deepEqual([...entries].filter((e) => !layers.has(e)), [], `${name}: entries without node`);
  }
});

test("Mema layers from the splitter add up to the whole network, nothing counted twice", () => {
  for (const name of ZOO_NETWORKS) {
    const net = rpi4.networks[name]!;
    const layers = planLayers(zooModel(name, { weights: false }));
    const times = layers.map((l) => layerTimes(rpi4, name, l.nodes));
    const matched = net.entries.filter((e) => e.type !== "Split");
    assert.ok(Math.abs(sum(times.map((t) => t.execMs)) - sum(matched.map((e) => e.execMs))) < 1e-6, `${name}: exec`);
    assert.ok(Math.abs(sum(times.map((t) => t.loadMs)) - sum(matched.map((e) => e.loadMs))) < 1e-6, `${name}: load`);
    assert.ok(times.every((t) => t.estimated === !net.measured), `${name}: estimated flags`);
  }
});

test("layerTimes sums Caffe layers, ignores `#` nodes, and flags partial or unknown matches", () => {
  const t = layerTimes(rpi4, "AgeNet", ["conv1", "relu1", "pool1", "norm1"]);
  assert.deepEqual(t, { loadMs: 0.745 + 0.119 + 0.145 + 0.142, execMs: 11.007 + 3.857 + 7.734 + 3.215, estimated: false });
  assert.deepEqual(layerTimes(rpi4, "agenet", ["fc6#flatten"]), { loadMs: 0, execMs: 0, estimated: true });
  assert.throws(() => layerTimes(rpi4, "resnet", ["conv1"]), (e: unknown) => e instanceof ProfileError && /has no network 'resnet'/.test(e.message));
  const priced = layerTimes(rpi4, "resnet", ["conv1"], { flops: 1e9, weightsBytes: 1e6 });
  assert.equal(priced.estimated, true);
  assert.deepEqual(priced, { ...estimateLayer(rpi4.estimation!, { flops: 1e9, weightsBytes: 1e6 }), estimated: true });
  assert.ok(priced.execMs > 50 && priced.execMs < 500, `1 GFLOP on a Pi 4: ${priced.execMs} ms`);
});

test("profiles measured by `mema profile` load from a file or a directory", () => {
  const dir = mkdtempSync(join(tmpdir(), "mema-profiles-"));
  try {
    const measured: MeasuredLayerProfile = {
      format: "mema-layer-profile/1",
      model: "tiny",
      whole: { loadMs: 3, execMs: 2 },
      layers: [
        { name: "a", nodes: ["a", "a_relu"], ops: ["Conv", "Relu"], weightsBytes: 100, flops: 10, loadMs: 1.5, execMs: 0.5 },
        { name: "b", nodes: ["b"], ops: ["Gemm"], weightsBytes: 50, flops: 5, loadMs: 1, execMs: 1 },
      ],
    };
    writeFileSync(join(dir, "tiny.json"), JSON.stringify(measured));
    writeFileSync(join(dir, "notes.json"), JSON.stringify({ other: true }));
    for (const profile of [loadDeviceProfile(join(dir, "tiny.json")), loadDeviceProfile(dir)]) {
      assert.deepEqual(layerTimes(profile, "tiny", ["a", "a_relu"]), { loadMs: 1.5, execMs: 0.5, estimated: false });
      assert.deepEqual(layerTimes(profile, "tiny", ["a", "a_relu", "b"]), { loadMs: 2.5, execMs: 1.5, estimated: false });
      // Per-node granularity against a per-layer profile: a share, flagged.
      assert.deepEqual(layerTimes(profile, "tiny", ["a"]), { loadMs: 0.75, execMs: 0.25, estimated: true });
      assert.deepEqual(profile.networks.tiny!.whole, { loadMs: 3, execMs: 2 });
    }
    // An older measurement of the same model in the folder does not override the newer one.
    writeFileSync(join(dir, "tiny-old.json"), JSON.stringify({ ...measured, measuredAt: "2020-01-01T00:00:00Z", layers: [{ ...measured.layers[0]!, execMs: 99 }] }));
    writeFileSync(join(dir, "tiny.json"), JSON.stringify({ ...measured, measuredAt: "2026-01-01T00:00:00Z" }));
    assert.equal(layerTimes(loadDeviceProfile(dir), "tiny", ["a", "a_relu"]).execMs, 0.5);
    writeFileSync(join(dir, "bad.json"), "{ not json");
    assert.throws(() => loadDeviceProfile(join(dir, "bad.json")), /bad\.json: not valid JSON/);
    // JSON.parse quotes the text it choked on, newlines included; the message stays one line.
    writeFileSync(join(dir, "lines.json"), "hello\nworld\n");
    assert.throws(() => loadDeviceProfile(join(dir, "lines.json")), (e: Error) => /lines\.json: not valid JSON/.test(e.message) && !e.message.includes("\n"));
    rmSync(join(dir, "lines.json"));
    assert.throws(() => loadDeviceProfile(join(dir, "notes.json")), /notes\.json: not a profile \(expected "format"/);
    assert.throws(() => loadDeviceProfile("rpi5"), /unknown device profile 'rpi5': not a built-in profile \(rpi4, rpi4-zoo\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("tiles of a layer share its time by weights and FLOPs, adding up to the layer once", () => {
  const whole = planLayers(zooModel("agenet", { weights: false }));
  const tiled = planLayers(zooModel("agenet", { weights: false }), { capBytes: 16e6 });
  assert.ok(tiled.some((l) => l.tile), "fc6 is tiled");
  const a = splitModelTimes(rpi4, "agenet", whole);
  const b = splitModelTimes(rpi4, "agenet", tiled);
  assert.ok(Math.abs(sum(a.map((t) => t.loadMs)) - sum(b.map((t) => t.loadMs))) < 1e-9);
  assert.ok(Math.abs(sum(a.map((t) => t.execMs)) - sum(b.map((t) => t.execMs))) < 1e-9);
  const fc6Tiles = b.filter((_, i) => tiled[i]!.tile && tiled[i]!.tile!.index < tiled[i]!.tile!.count);
  assert.ok(fc6Tiles.every((t) => t.estimated && t.loadMs < 411.474), "each tile loads a share of fc6");
});

test("rpi4-zoo gives the zoo's batch-1, one-image conditions: exec divided by zooScale", () => {
  const zoo = loadDeviceProfile("rpi4-zoo");
  assert.equal(zoo.name, "rpi4-zoo");
  const exec = (p: typeof rpi4, n: string): number => sum(p.networks[n]!.entries.map((e) => e.execMs));
  for (const name of ZOO_NETWORKS) {
    const scale = rpi4.networks[name]!.zooScale!;
    assert.ok(scale >= 1, `${name}: zooScale ${scale}`);
    assert.ok(Math.abs(exec(zoo, name) * scale - exec(rpi4, name)) < 1e-6 * exec(rpi4, name), name);
    assert.equal(zoo.networks[name]!.meanExecutionMs, rpi4.networks[name]!.meanExecutionMs, `${name}: MASA's key unchanged`);
  }
  // GenderNet ran a batch of 10: its fitted factor says so, and AgeNet (same network, batch 1) stays measured.
  assert.ok(rpi4.networks.gendernet!.zooScale! > 7 && rpi4.networks.gendernet!.zooScale! < 11);
  assert.equal(layerTimes(zoo, "agenet", ["conv1"]).estimated, false);
  assert.equal(layerTimes(zoo, "facenet", ["conv1"]).estimated, true);
  // Loading a built-in twice gives independent objects.
  zoo.networks.agenet!.entries[0]!.execMs = 1e9;
  assert.notEqual(loadDeviceProfile("rpi4-zoo").networks.agenet!.entries[0]!.execMs, 1e9);
});
