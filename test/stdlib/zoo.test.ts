// The zoo: every EdgeCaffe network builds, matches EdgeCaffe's weight sizes and layer names, and runs in onnxruntime.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { test } from "node:test";
import { createSession, hostTensor } from "../../runtime/host/onnxruntime.ts";
import { ZOO_NETWORKS } from "../../stdlib/names.ts";
import { modelBytes } from "../../stdlib/zoo/onnx-model.ts";
import { weightValues } from "../../stdlib/zoo/weights.ts";
import {
  caffeLayerOf,
  ZOO_GENERATOR_VERSION,
  zooFingerprint,
  zooGraph,
  zooInfo,
  zooModel,
  zooModelPath,
  zooName,
} from "../../stdlib/zoo/index.ts";
import { skipTest } from "../skip.ts";

// Σ partialFileSize of each network's layers in EdgeCaffe's description.yaml (reference/edgecaffe.md, section 7).
const EDGECAFFE_WEIGHTS_BYTES: Record<string, number> = {
  agenet: 45_661_690,
  emotionnet: 395_362_942,
  facenet: 227_507_357,
  gendernet: 45_649_438,
  memnet: 227_491_136,
  objectnet: 574_672_244,
  scenenet: 230_834_816,
  sos: 227_556_805,
  sos_googlenet: 23_937_899,
  tinyyolo: 64_704_948,
};

const EXPECTED_OUTPUT_SHAPES: Record<string, number[]> = {
  agenet: [1, 8],
  gendernet: [1, 2],
  facenet: [1, 2, 1, 1],
  emotionnet: [1, 7],
  memnet: [1, 1],
  scenenet: [1, 205],
  sos: [1, 5],
  sos_googlenet: [1, 5],
  objectnet: [1, 1000],
  tinyyolo: [1, 425, 12, 12],
};

const elements = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

test("each zoo network's weights are within 2% of EdgeCaffe's partial files", () => {
  for (const name of ZOO_NETWORKS) {
    const info = zooInfo(name);
    const target = EDGECAFFE_WEIGHTS_BYTES[name]!;
    const ratio = info.weightsBytes / target;
    assert.ok(Math.abs(ratio - 1) <= 0.02, `${name}: ${info.weightsBytes} B vs EdgeCaffe ${target} B (${ratio.toFixed(4)})`);
    assert.equal(info.edgecaffeWeightsBytes, target, `${name}: edgecaffeWeightsBytes`);
  }
});

test("weightless models carry every tensor's shape and initializers with dims but no data", () => {
  for (const name of ZOO_NETWORKS) {
    const model = zooModel(name, { weights: false });
    const graph = model.graph!;
    const info = zooInfo(name);
    let bytes = 0;
    for (const init of graph.initializer) {
      assert.ok(init.dims.length > 0, `${name}/${init.name}: dims`);
      assert.equal(init.rawData.length, 0, `${name}/${init.name}: no data`);
      bytes += 4 * elements(init.dims.map(Number));
    }
    assert.equal(bytes, info.weightsBytes, `${name}: initializer bytes`);
    const shaped = new Set([...graph.valueInfo, ...graph.output, ...graph.input].map((v) => v.name));
    for (const node of graph.node) {
      for (const output of node.output) assert.ok(shaped.has(output), `${name}: no shape for ${output}`);
    }
    assert.deepEqual(info.output.shape, EXPECTED_OUTPUT_SHAPES[name], `${name}: output shape`);
    assert.equal(graph.node.length, info.nodeCount);
  }
});

test("zoo names accept EdgeCaffe's spelling and reject unknown names with the list", () => {
  assert.equal(zooName("SoS_GoogleNet"), "sos_googlenet");
  assert.throws(() => zooName("alexnet"), /unknown zoo network 'alexnet', expected one of: agenet, /);
});

// Layer names per network, as the prototxt has them (Caffe's implicit input and auto-inserted Split layers
// excluded). Checked against ../shared/edgecaffe when it is there; otherwise against the device profile's names.
function prototxtLayerNames(caffeName: string): string[] | undefined {
  const dir = new URL(`../../../shared/edgecaffe/networks/${caffeName}/`, import.meta.url);
  if (!existsSync(dir)) return undefined;
  const yaml = readFileSync(new URL("description.yaml", dir), "utf8");
  const file = /^network-file:\s*(\S+)/m.exec(yaml)![1]!;
  const text = readFileSync(new URL(file, dir), "utf8");
  const names: string[] = [];
  for (const block of text.split(/\blayers?\s*\{/).slice(1)) {
    const name = /name:\s*"([^"]+)"/.exec(block)![1]!;
    const type = /type:\s*"?(\w+)"?/.exec(block)![1]!;
    if (type !== "Input") names.push(name);
  }
  return names;
}

test("node names are the prototxt's layer names (extra ONNX nodes are `<layer>#<role>`)", (t) => {
  let checked = 0;
  for (const name of ZOO_NETWORKS) {
    const info = zooInfo(name);
    const expected = prototxtLayerNames(info.caffeName);
    if (!expected) continue;
    const layers = [...new Set(zooGraph(name).nodes.map((n) => caffeLayerOf(n.name)))];
    assert.deepEqual(layers, expected, `${name}: layers`);
    checked++;
  }
  if (checked === 0) skipTest(t, "../shared/edgecaffe not present");
});

test("the cache key changes when a network's description changes", () => {
  const graph = zooGraph("agenet");
  const changed = { ...graph, nodes: graph.nodes.map((n) => (n.name === "conv2" ? { ...n, attributes: { ...n.attributes, group: 2 } } : n)) };
  assert.notEqual(zooFingerprint(changed), zooFingerprint(graph));
  assert.equal(zooFingerprint(zooGraph("agenet")), zooFingerprint(graph));
});

test("the streamed file is byte-identical to the model built in memory", async () => {
  const path = await zooModelPath("sos_googlenet");
  const onDisk = readFileSync(path);
  const inMemory = modelBytes(zooGraph("sos_googlenet"), ZOO_GENERATOR_VERSION);
  assert.equal(onDisk.length, inMemory.length);
  assert.ok(Buffer.from(inMemory).equals(onDisk), "bytes differ");
});

// Pinned so that every runtime (this file runs under node, bun and deno) proves it writes the same bytes.
// A deliberate change to the generator updates this and ZOO_GENERATOR_VERSION together.
test("the generated file has the same bytes on every runtime", async () => {
  const path = await zooModelPath("sos_googlenet");
  const digest = createHash("sha256").update(readFileSync(path)).digest("hex");
  assert.equal(digest.slice(0, 16), "08e2c200738316a4");
});

test("a new generator version replaces the network's older files in the cache, and only those", async () => {
  const saved = process.env.MEMA_CACHE_DIR;
  const root = mkdtempSync(join(tmpdir(), "mema-zoo-cache-"));
  process.env.MEMA_CACHE_DIR = root;
  try {
    const dir = join(root, "zoo");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "sos_googlenet-0123456789abcdef.onnx"), "an older version");
    writeFileSync(join(dir, "sos-0123456789abcdef.onnx"), "another network");
    const progress: number[] = [];
    const path = await zooModelPath("sos_googlenet", (p) => progress.push(p.bytesWritten / p.totalBytes));
    assert.deepEqual(readdirSync(dir).sort(), [basename(path), "sos-0123456789abcdef.onnx"].sort());
    assert.ok(progress.length > 2 && progress.at(-1) === 1, "progress reported up to the end");
    assert.ok(progress.every((f, i) => i === 0 || f >= progress[i - 1]!), "progress never goes back");
  } finally {
    if (saved === undefined) delete process.env.MEMA_CACHE_DIR;
    else process.env.MEMA_CACHE_DIR = saved;
    rmSync(root, { recursive: true, force: true });
  }
});

function seededInput(name: string): Float32Array {
  const shape = zooInfo(name).input.shape;
  return weightValues(`input/${name}`, { kind: "uniform", low: -1, high: 1 }, elements(shape));
}

test("every intermediate shape matches onnxruntime's on the small networks", async () => {
  for (const name of ["agenet", "sos_googlenet", "tinyyolo"]) {
    const graph = zooGraph(name);
    const session = await createSession(modelBytes(graph, ZOO_GENERATOR_VERSION, { allOutputs: true }));
    const outputs = await session.run({ data: hostTensor("float32", seededInput(name), graph.input.shape) });
    for (const node of graph.nodes) {
      assert.deepEqual([...outputs[node.output]!.dims], graph.tensors.get(node.output), `${name}/${node.output}`);
    }
    await session.release();
  }
});

// One test per network, each with room for a cold cache (generation plus session creation).
for (const name of ZOO_NETWORKS) {
  test(`${name} runs in onnxruntime with finite outputs of the right shape`, { timeout: 120_000 }, async () => {
    const info = zooInfo(name);
    const session = await createSession(await zooModelPath(name));
    const outputs = await session.run({ [info.input.name]: hostTensor("float32", seededInput(name), info.input.shape) });
    const y = outputs[info.output.name]!;
    assert.deepEqual([...y.dims], EXPECTED_OUTPUT_SHAPES[name], `${name}: output shape`);
    const values = y.data as Float32Array;
    assert.ok(values.every(Number.isFinite), `${name}: non-finite output`);
    assert.ok(values.some((v) => v !== 0), `${name}: all-zero output`);
    if (info.task === "classification") {
      const sum = values.reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(sum - 1) < 1e-4, `${name}: softmax sums to ${sum}`);
    }
    await session.release();
  });
}
