// float16 models split exactly: onnxruntime's CPU provider runs most float16 operators in float32 and keeps
// values in float32 between them inside one session, so a layer boundary carries float16 values as float32
// (half-as-float.ts, carryHalfAsFloat). A small U-Net (convolutions, BatchNormalization, a residual Add, MaxPool,
// ConvTranspose, Resize, Concat, side outputs that the model also reads, a Gemm head) verified bit-identical.
import { test } from "node:test";
import assert from "node:assert/strict";
import { fileLayerPlanner, splitModel } from "../../../runtime/model/split.ts";
import { mema } from "../../cli/run-cli.ts";
import type { ModelPlan } from "../../../lang/plan.ts";
import { differenceNote, float16Value, verifyModel } from "../../../runtime/model/staged-run.ts";
import { decodeModel } from "../../../runtime/model/onnx-file.ts";
import { FLOAT16, float16Bits, useTempCache, writeModel } from "./graph-builder.ts";
import { halfBranches, halfUnet, halfWithFloatIsland } from "./wild-models.ts";
import { readFileSync } from "node:fs";

useTempCache();

test("float16 bits: round to nearest even, subnormals, and back", () => {
  for (const v of [0, 1, -2, 0.5, 65504, 2 ** -14, 2 ** -24, 3 * 2 ** -25, 1 + 2 ** -11, 1 + 3 * 2 ** -11, 0.1]) {
    const back = float16Value(float16Bits(v));
    assert.ok(Math.abs(back - v) <= Math.abs(v) * 2 ** -11 || Math.abs(back - v) <= 2 ** -25, `${v} -> ${back}`);
  }
  assert.equal(float16Bits(1 + 2 ** -11), 0x3c00, "a tie rounds to even (down)");
  assert.equal(float16Bits(1 + 3 * 2 ** -11), 0x3c02, "a tie rounds to even (up)");
  assert.equal(float16Value(0x7bff), 65504);
  assert.equal(float16Value(0x0001), 2 ** -24);
});

test("the split carries float16 values as float32 where onnxruntime computes them so; graph outputs stay float16", async () => {
  const { layers, outputs } = await splitModel(writeModel("unet16-plan", halfUnet()));
  assert.deepEqual(outputs.map((t) => t.dtype), ["float16", "float16", "float16", "float16"]);
  const boundaries = layers.flatMap((l) => l.outputs).filter((t) => !outputs.some((o) => o.name === t.name));
  assert.ok(boundaries.length >= 8 && boundaries.every((t) => t.name.endsWith("::float32") && t.dtype === "float32"), boundaries.map((t) => t.name).join(" "));
  // side1 is returned (float16) and read by a later layer (float32, unrounded), as in the whole model.
  const producer = layers.find((l) => l.outputs.some((t) => t.name === "side1"))!;
  assert.deepEqual(producer.outputs.filter((t) => t.name.startsWith("side1")).map((t) => `${t.name}:${t.dtype}`).sort(), ["side1::float32:float32", "side1:float16"]);
  // The added casts are not original nodes: names and ops list the model's own.
  assert.ok(layers.every((l) => !l.ops.includes("Cast") && l.nodes.every((n) => !n.includes("::"))));
  assert.deepEqual(layers.map((l) => l.name).slice(0, 3), ["enc1", "enc2", "res"]);
});

test("a float16 U-Net verifies bit-identical: layers, single nodes, merged, and Conv/ConvTranspose/Gemm tiles", async () => {
  const path = writeModel("unet16", halfUnet());
  for (const options of [{}, { granularity: "node" as const }, { granularity: "merged" as const, mergeBytes: 3000 }, { capBytes: 1500 }]) {
    const { split, outputs } = await verifyModel(path, options);
    assert.equal(outputs.length, 4);
    for (const output of outputs) assert.equal(output.maxAbsDifference, 0, `${JSON.stringify(options)} ${output.name}`);
    if ("capBytes" in options) assert.ok(split.layers.filter((l) => l.tile).length >= 6, "tiled");
  }
});

test("a layer file of a float16 model computes in float32 where the whole model does: no Cast left for onnxruntime to insert", async () => {
  const { split } = await verifyModel(writeModel("unet16-files", halfUnet()));
  const up = split.layers.find((l) => l.name === "up")!;
  const graph = decodeModel(readFileSync(up.path!), up.path!).graph!;
  assert.deepEqual(graph.input.map((i) => i.name), ["r::float32", "e1::float32"]);
  // Concat has a float16 kernel, but the whole model runs it in float32 between float32 neighbours: so does the layer.
  const concat = graph.node.find((n) => n.opType === "Concat")!;
  assert.deepEqual([...concat.input, ...concat.output], ["u1::float32", "e1::float32", "cat::float32"]);
  // Weights stay float16 in the file (read from the original), cast on load as onnxruntime would.
  assert.ok(graph.initializer.filter((t) => t.name !== "scales").every((t) => t.dataType === FLOAT16));
});

test("a float16 model with an If between convolutions: exact whichever branch runs (the If layer left to onnxruntime)", async () => {
  const path = writeModel("branches16", halfBranches());
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    const { split, outputs, note } = await verifyModel(path, { granularity: "node" }, seed);
    assert.equal(outputs[0]!.maxAbsDifference, 0, `seed ${seed}`);
    assert.equal(note, undefined);
    assert.ok(split.layers.some((l) => l.ops.includes("If")));
  }
});

test("verify names the cause when a float16 model still differs", () => {
  const tensor = (name: string, dtype: string) => ({ name, dtype, shape: [1], bytes: 2 });
  const layer = (name: string, ops: string[]) => ({ index: 0, name, nodes: [name], ops, inputs: [tensor("x", "float16")], outputs: [tensor("y", "float16")], weightsBytes: 0, activationBytes: 2, flops: 0, heavy: "compute" as const });
  const split = { name: "m", path: "m.onnx", sha256: "", inputs: [tensor("x", "float16")], outputs: [tensor("y", "float16")], layers: [layer("a", ["Conv"]), layer("choose", ["If"])], weightsBytes: 0 };
  const differs = [{ name: "y", dtype: "float16", shape: [1], maxAbsDifference: 0.0005 }];
  assert.equal(differenceNote(split, [{ ...differs[0]!, maxAbsDifference: 0 }]), undefined);
  assert.match(differenceNote(split, differs)!, /^float16 model: onnxruntime computes most float16 operators in float32 .*, except inside the If\/Loop\/Scan bodies of layer 'choose' \(runtime\/model\/README\.md, "float16 models"\)$/);
  const float = { ...split, inputs: [tensor("x", "float32")], outputs: [tensor("y", "float32")], layers: [] };
  assert.equal(differenceNote(float, differs), undefined);
});

test("the simulator's plan of a float16 model file has the split's layers, with a cap and merged too", async () => {
  const path = writeModel("unet16-simulated", halfUnet());
  const plan = { name: "unet", source: { kind: "file", path }, shapes: {}, input: { kind: "seeded", seed: 0 } } as unknown as ModelPlan;
  const planner = await fileLayerPlanner([plan]);
  const facts = (layers: { path?: string; reads?: unknown }[]) => layers.map(({ path: _p, reads: _r, ...rest }) => rest);
  for (const [capBytes, mergeBytes] of [[undefined, undefined], [1500, undefined], [1500, 3000]] as const) {
    const split = await splitModel(path, { ...(capBytes ? { capBytes } : {}), ...(mergeBytes ? { granularity: "merged" as const, mergeBytes } : {}) });
    assert.deepEqual(planner(plan, capBytes, mergeBytes), facts(split.layers), `cap ${capBytes} merge ${mergeBytes}`);
  }
});

test("mema verify on a float16 model: differences by value, exit 0 when bit-identical", async () => {
  const path = writeModel("unet16-cli", halfUnet());
  const { code, out, err } = await mema("verify", path, "--cap", "1500B");
  assert.equal(code, 0, err);
  assert.match(out, /side2 \[1x1x32x32\] float16: max abs difference 0\n/);
  assert.match(out, /ok: within tolerance 0 \(bit-identical\)\n$/);
  assert.doesNotMatch(out, /note:/);
});

test("float16 convolutions around a float32 island of explicit Casts: exact, whatever onnxruntime folds", async () => {
  const path = writeModel("island16", halfWithFloatIsland());
  for (const granularity of ["layer", "node"] as const) {
    const { outputs } = await verifyModel(path, { granularity });
    for (const output of outputs) assert.equal(output.maxAbsDifference, 0, `${granularity} ${output.name}`);
  }
});
