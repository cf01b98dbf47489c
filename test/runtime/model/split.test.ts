// Splitting hand-built models: every situation of issue 3's "Splitting" list, each verified bit-identical
// against the whole model on onnxruntime.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { decodeModel, scanRawData } from "../../../runtime/model/onnx-file.ts";
import { planLayers } from "../../../runtime/model/split-plan.ts";
import { seededInputs } from "../../../runtime/model/seeded-inputs.ts";
import { readModelFile, splitModel, type SplitOptions } from "../../../runtime/model/split.ts";
import { maxAbsDifference, runLayered, runWhole, toFeeds } from "../../../runtime/model/staged-run.ts";
import { ModelError } from "../../../runtime/model/errors.ts";
import type { SplitModel } from "../../../runtime/model/types.ts";
import { writeModel, tempFolder, useTempCache } from "./graph-builder.ts";
import * as cases from "./split-cases.ts";

useTempCache();

/** Splits, runs whole and staged on seeded inputs, asserts bit-identical and non-trivial outputs. */
async function assertExact(path: string, options: SplitOptions = {}): Promise<SplitModel> {
  const split = await splitModel(path, options);
  const feeds = toFeeds(seededInputs(split.inputs));
  const whole = await runWhole(path, feeds);
  const staged = await runLayered(split, feeds);
  for (const output of split.outputs) {
    const expected = whole[output.name]!;
    assert.ok([...(expected.data as Float32Array)].some((v) => v !== 0), `${output.name} is not all zeros`);
    assert.equal(maxAbsDifference(expected, staged[output.name]!), 0, `${output.name} bit-identical`);
    assert.deepEqual(new Uint8Array((staged[output.name]!.data as Float32Array).buffer), new Uint8Array((expected.data as Float32Array).buffer));
  }
  return split;
}

const modelError = (code: string) => (error: unknown) => error instanceof ModelError && error.code === code && !error.message.includes("\n");

test("a chain splits into one weighted operator plus the parameter-free ones after it", async () => {
  const split = await assertExact(writeModel("chain", cases.chainModel()));
  assert.deepEqual(split.layers.map((l) => l.nodes), [["conv1", "relu1", "pool1"], ["conv2", "relu2", "flatten2"], ["fc3", "softmax3"]]);
  assert.deepEqual(split.layers.map((l) => l.name), ["conv1", "conv2", "fc3"]);
  const [first, , last] = split.layers;
  assert.deepEqual(first!.outputs.map((t) => [t.name, t.dtype, t.shape, t.bytes]), [["p1", "float32", [1, 8, 4, 4], 512]]);
  assert.equal(first!.weightsBytes, (8 * 3 * 9 + 8) * 4);
  assert.equal(first!.activationBytes, 512);
  assert.ok(first!.flops >= 2 * 8 * 8 * 8 * 27, "conv flops counted");
  assert.equal(first!.heavy, "compute");
  assert.equal(last!.heavy, "memory", "a fully connected layer at batch 1 loads more than it computes");
});

test("layer files hold no weight bytes: external data points into the original file", async () => {
  const path = writeModel("chain-external", cases.chainModel());
  const split = await splitModel(path);
  const offsets = scanRawData(readFileSync(path), path).initializers;
  const dir = dirname(split.layers[0]!.path!);
  const source = join(dir, "source.onnx");
  assert.equal(readFileSync(source).length, statSync(path).size);
  const variant = basename(split.layers[0]!.path!).split(".")[0];
  assert.ok(!existsSync(join(dir, `${variant}.weights.bin`)), "raw_data weights need no side file");
  const layerFile = readFileSync(split.layers[1]!.path!);
  assert.ok(layerFile.length < 1024, `layer file is small (${layerFile.length} bytes)`);
  const w2 = decodeModel(layerFile, "layer").graph!.initializer.find((t) => t.name === "w2")!;
  const entry = Object.fromEntries(w2.externalData.map((e) => [e.key, e.value]));
  assert.deepEqual(entry, { location: "source.onnx", offset: String(offsets.get("w2")!.offset), length: String(16 * 8 * 9 * 4) });
});

test("nodes listed out of order are split in topological order", async () => {
  const split = await assertExact(writeModel("shuffled", cases.shuffledChainModel()));
  assert.deepEqual(split.layers.map((l) => l.name), ["conv1", "conv2", "fc3"]);
});

test("a DAG: residual Add, Concat of branches, two inputs, an output from the middle", async () => {
  const split = await assertExact(writeModel("dag", cases.dagModel()));
  assert.deepEqual(split.layers.map((l) => l.name), ["conv_a", "branch_b", "branch_c", "conv_d"]);
  const byName = Object.fromEntries(split.layers.map((l) => [l.name, l]));
  assert.deepEqual(byName.conv_a!.outputs.map((t) => t.name), ["r1"], "r1 is read later and is a graph output");
  assert.deepEqual(byName.branch_b!.nodes, ["branch_b", "residual"]);
  assert.deepEqual(byName.branch_c!.nodes, ["branch_c", "side_sigmoid", "concat"]);
  assert.deepEqual(byName.branch_c!.inputs.map((t) => t.name).sort(), ["r1", "res"]);
  assert.deepEqual(byName.branch_c!.outputs.map((t) => t.name).sort(), ["cat", "side"]);
  assert.deepEqual(byName.conv_d!.inputs.map((t) => t.name).sort(), ["cat", "y"]);
  assert.deepEqual(split.outputs.map((t) => t.name), ["out", "r1", "side"]);
});

test("weights in Constant nodes are hoisted; an initializer shared by two nodes loads with each", async () => {
  const path = writeModel("constants", cases.constantsModel());
  const split = await assertExact(path);
  assert.deepEqual(split.layers.map((l) => l.name), ["mm0", "mm1", "mm2"]);
  assert.ok(!split.layers.some((l) => l.ops.includes("Constant")));
  assert.equal(split.layers[1]!.weightsBytes, 32 * 32 * 4);
  assert.equal(split.layers[2]!.weightsBytes, 32 * 32 * 4 + 4, "the shared weight and the hoisted 0.5");
  assert.equal(split.weightsBytes, 2 * 32 * 32 * 4 + 32 * 4 + 4, "model weights count the shared one once");
  // The float_data weight has no bytes in the file to point at: it goes, once, to the side file.
  const layer = decodeModel(readFileSync(split.layers[0]!.path!), "layer").graph!.initializer.find((t) => t.name === "wc")!;
  const location = layer.externalData.find((e) => e.key === "location")!.value;
  assert.match(location, /\.weights\.bin$/);
  assert.equal(statSync(join(dirname(split.layers[0]!.path!), location)).size, 32 * 32 * 4);
});

test("If, Loop and Scan stay whole, with the outer values their subgraphs capture as layer inputs", async () => {
  const path = writeModel("subgraphs", cases.subgraphModel());
  await assertExact(path);
  const split = await assertExact(path, { granularity: "node" });
  const withIf = split.layers.find((l) => l.ops.includes("If"))!;
  assert.deepEqual(withIf.inputs.map((t) => t.name).sort(), ["flag", "h"], "h is captured by both branches");
  assert.equal(withIf.weightsBytes, 16 * 4, "the captured initializer 'bias' loads with the layer");
  const loop = split.layers.find((l) => l.ops.includes("Loop"))!;
  assert.ok(loop.inputs.some((t) => t.name === "h"), "the loop body reads h");
  const scan = split.layers.find((l) => l.ops.includes("Scan"))!;
  assert.equal(scan.weightsBytes, 16 * 4, "the scan body's captured 'bias' loads with it");
  for (const flag of [0, 1]) {
    const feeds = toFeeds({ ...seededInputs(split.inputs), flag: { dtype: "bool", dims: [], data: new Uint8Array([flag]) } });
    const whole = await runWhole(split.path, feeds);
    const staged = await runLayered(split, feeds);
    for (const name of ["y", "looped", "scanned"]) assert.equal(maxAbsDifference(whole[name]!, staged[name]!), 0, name);
  }
});

test("symbolic input dims: an error naming the input without --shape, exact with it", async () => {
  const path = writeModel("symbolic", cases.symbolicModel());
  await assert.rejects(splitModel(path), (e: unknown) => modelError("E_SHAPE")(e) && /input 'x'.*--shape x=1x3x1x1/.test((e as Error).message));
  const split = await assertExact(path, { inputShapes: { x: [2, 3, 5, 7] } });
  assert.deepEqual(split.outputs[0]!.shape, [2, 8, 5, 7]);
  assert.throws(() => planLayers(cases.symbolicModel(), { inputShapes: { x: [1, 4, 5, 5] } }), modelError("E_OPTION"));
  assert.throws(() => planLayers(cases.symbolicModel(), { inputShapes: { z: [1] } }), modelError("E_OPTION"));
});

test("planning needs no weight data when value_info is complete (the simulator's path)", () => {
  const weightless = planLayers(cases.chainModel({ valueInfo: true, noData: true }));
  const full = planLayers(cases.chainModel({ valueInfo: true }));
  assert.deepEqual(weightless, full);
  assert.equal(weightless[2]!.weightsBytes, (10 * 64 + 10) * 4);
  const symbolic = planLayers(cases.symbolicModel({ noData: true }), { inputShapes: { x: [1, 3, 32, 32] } });
  assert.deepEqual(symbolic[0]!.outputs[0]!.shape, [1, 8, 32, 32], "value_info symbols bound by the input shape");
  assert.throws(() => planLayers(cases.chainModel({ noData: true })), modelError("E_SHAPE"), "without value_info shapes are missing");
});

test("a cap tiles Conv, ConvTranspose, Gemm (transB 0 and 1) and MatMul along output features, exactly", async () => {
  const path = writeModel("tiling", cases.tilingModel());
  const capBytes = 6000;
  const split = await assertExact(path, { capBytes });
  for (const layer of split.layers) assert.ok(layer.weightsBytes <= capBytes, `${layer.name}: ${layer.weightsBytes} <= cap`);
  const tiled = new Set(split.layers.filter((l) => l.tile).map((l) => l.tile!.of));
  assert.deepEqual([...tiled].sort(), ["conv", "deconv", "fc1", "fc2", "proj"]);
  const conv = split.layers.filter((l) => l.tile?.of === "conv");
  assert.equal(conv.length, conv[0]!.tile!.count + 1, "tiles plus a concat layer");
  assert.ok(conv.at(-1)!.ops[0] === "Concat");
  assert.deepEqual(conv[0]!.nodes, ["conv"], "tiles keep the original node name for profiles");
  await assert.rejects(splitModel(path, { capBytes: 100 }), modelError("E_CAP"));
});

test("grouped and depthwise Conv tile by whole groups or within a group, through a channel Slice, exactly", async () => {
  for (const opset of [17, 9]) {
    const path = writeModel(`grouped-${opset}`, cases.groupedConvModel(opset));
    for (const capBytes of [5000, 2000, 1000]) {
      const split = await assertExact(path, { capBytes });
      for (const layer of split.layers) assert.ok(layer.weightsBytes <= capBytes, `${layer.name}: ${layer.weightsBytes} <= ${capBytes}`);
      const grouped = split.layers.filter((l) => l.tile?.of === "grouped" && l.ops.includes("Conv"));
      assert.ok(grouped.length >= 2 && grouped.every((l) => l.ops.includes("Slice")), `opset ${opset} cap ${capBytes}: ${grouped.length} sliced tiles`);
      assert.ok(grouped.every((l) => l.nodes.length === 1 && l.nodes[0] === "grouped"), "tiles list the original node only");
    }
  }
});

test("per-node layers and merged layers are exact too", async () => {
  const path = writeModel("dag-granularity", cases.dagModel());
  const perNode = await assertExact(path, { granularity: "node" });
  assert.equal(perNode.layers.length, 9);
  const merged = await assertExact(path, { granularity: "merged", mergeBytes: 6000 });
  assert.ok(merged.layers.length < 4 && merged.layers.length > 1, `${merged.layers.length} merged layers`);
  for (const layer of merged.layers) assert.ok(layer.weightsBytes <= 6000 || layer.nodes.length === 1 || layer.ops.filter((o) => o === "Conv").length === 1);
  const all = await assertExact(path, { granularity: "merged", mergeBytes: 1e9 });
  assert.equal(all.layers.length, 1);
});

test("a model with external data splits; a missing external file is a one-line error", async () => {
  const folder = mkdtempSync(join(tempFolder(), "ext-"));
  const { proto, data } = cases.externalDataModel("chain.weights");
  const path = join(folder, "chain-ext.onnx");
  writeFileSync(path, (await import("../../../runtime/model/onnx-file.ts")).encodeModel(proto));
  writeFileSync(join(folder, "chain.weights"), data);
  await assertExact(path);
  rmSync(join(folder, "chain.weights"));
  assert.throws(() => readModelFile(path), (e: unknown) => modelError("E_EXTERNAL_DATA")(e) && /chain\.weights/.test((e as Error).message));
});

test("a truncated file and an unsupported operator are one-line errors", async () => {
  const path = writeModel("truncated-source", cases.chainModel());
  const bytes = readFileSync(path);
  const truncated = join(tempFolder(), "truncated.onnx");
  writeFileSync(truncated, bytes.subarray(0, bytes.length - 100));
  assert.throws(() => readModelFile(truncated), modelError("E_MODEL_FILE"));
  await assert.rejects(splitModel(writeModel("unsupported", cases.unsupportedOpModel())), (e: unknown) =>
    modelError("E_UNSUPPORTED_OP")(e) && /FrobnicateTensor/.test((e as Error).message));
});
