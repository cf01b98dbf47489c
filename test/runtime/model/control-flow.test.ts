// Control flow: an If whose condition is a constant is replaced by its taken branch and split like the rest
// (bit-identical to the whole model); any other If, a Loop or a Scan stays whole, and `mema layers` says why.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mema } from "../../cli/run-cli.ts";
import { seededInputs } from "../../../runtime/model/seeded-inputs.ts";
import { splitModel, type SplitOptions } from "../../../runtime/model/split.ts";
import { maxAbsDifference, runLayered, runWhole, toFeeds } from "../../../runtime/model/staged-run.ts";
import type { SplitModel } from "../../../runtime/model/types.ts";
import { BOOL, graph, model, node, tensorValue, weight, writeModel, useTempCache } from "./graph-builder.ts";
import { type ConditionKind, ifModel, subgraphModel } from "./split-cases.ts";

useTempCache();

/** Whole model against layer by layer on the same inputs (and both values of an input condition): every output bit-identical. */
async function assertExact(path: string, options: SplitOptions = {}): Promise<SplitModel> {
  const split = await splitModel(path, options);
  const conditions = split.inputs.some((t) => t.name === "cond") ? [0, 1] : [undefined];
  for (const flag of conditions) {
    const inputs = seededInputs(split.inputs);
    if (flag !== undefined) inputs.cond = { dtype: "bool", dims: [], data: new Uint8Array([flag]) };
    const feeds = toFeeds(inputs);
    const whole = await runWhole(path, feeds);
    const staged = await runLayered(split, feeds);
    for (const output of split.outputs) {
      assert.ok([...(whole[output.name]!.data as Float32Array)].some((v) => v !== 0), `${output.name} is not all zeros`);
      assert.equal(maxAbsDifference(whole[output.name]!, staged[output.name]!), 0, `${path}: ${output.name} bit-identical`);
    }
  }
  return split;
}

for (const kind of ["initializer", "constant"] as const satisfies ConditionKind[]) {
  test(`an If on a ${kind} condition: its taken branch is inlined and split into layers, bit-identical`, async () => {
    const taken = await assertExact(writeModel(`if-${kind}-true`, ifModel(kind, true)));
    assert.deepEqual(taken.layers.map((l) => l.name), ["conv0", "then_conv1", "nested_conv", "then_conv3", "conv9"]);
    assert.ok(taken.layers.every((l) => !l.ops.includes("If") && !l.controlFlow), "no If left");
    assert.deepEqual(taken.inlined, [{ node: "vad_if", branch: "then_branch", nodes: 10 }, { node: "nested_if", branch: "then_branch", nodes: 2 }]);
    // The captured main weight, the branch's initializer and its Constant load with the layers that read them.
    assert.equal(taken.layers[1]!.weightsBytes, 4 * 4 * 9 * 4 + 4);
    assert.equal(taken.layers[3]!.weightsBytes, 4 * 4 * 9 * 4);
    await assertExact(writeModel(`if-${kind}-node`, ifModel(kind, true)), { granularity: "node" });
    // The else branch returns its own initializer: an Identity under the If's output name.
    const other = await assertExact(writeModel(`if-${kind}-false`, ifModel(kind, false)));
    assert.deepEqual(other.layers.map((l) => l.ops.join(",")), ["Conv", "Identity", "Conv,Relu"]);
    assert.deepEqual(other.inlined, [{ node: "vad_if", branch: "else_branch", nodes: 0 }]);
  });
}

test("an If on an input or a computed condition stays one layer, which says why", async () => {
  const input = await assertExact(writeModel("if-input", ifModel("input")));
  const kept = input.layers.find((l) => l.ops.includes("If"))!;
  assert.deepEqual(kept.controlFlow, [{ node: "vad_if", op: "If", nodes: 10, reason: "its condition 'cond' is an input of the model, known only when it runs" }]);
  assert.equal(input.inlined, undefined);
  const computed = await assertExact(writeModel("if-computed", ifModel("computed")));
  assert.match(computed.layers.find((l) => l.ops.includes("If"))!.controlFlow![0]!.reason, /^its condition 'cond' is computed when the model runs$/);
});

test("Loop and Scan stay whole, each layer saying why", async () => {
  const split = await splitModel(writeModel("loop-scan", subgraphModel()), { granularity: "node" });
  const reasons = split.layers.flatMap((l) => (l.controlFlow ?? []).map((c) => `${c.op}: ${c.reason}`));
  assert.deepEqual(reasons.filter((r) => !r.startsWith("If")), [
    "Loop: a Loop runs its body a number of times known only when the model runs",
    "Scan: a Scan runs its body once per slice of its inputs",
  ]);
});

test("mema layers: notes on the inlined If, on the If kept whole, and on a model that is one layer", async () => {
  const inlined = await mema("layers", writeModel("cli-if-const", ifModel("constant")));
  assert.equal(inlined.code, 0, inlined.err);
  assert.match(inlined.out, /^5 layers, .*\nnote: If 'vad_if' has a constant condition \(true\): its then_branch \(10 nodes\) is split like the rest of the model\nnote: If 'nested_if' has a constant condition \(true\): its then_branch \(2 nodes\) is split like the rest of the model\n$/m);
  const kept = await mema("layers", writeModel("cli-if-input", ifModel("input")));
  assert.match(kept.out, /\nnote: layer 1 holds If 'vad_if' with 10 nodes inside, kept whole: its condition 'cond' is an input of the model, known only when it runs\n$/);
  // All of the work inside an If on an input (a voice-activity model): one layer, and the note says so.
  const branch = (name: string, w: string) =>
    graph({ name, inputs: [], outputs: [tensorValue(`${name}_y`)], nodes: [node("Conv", ["x", w], [`${name}_c`], { pads: [1, 1, 1, 1] }, `${name}_conv`), node("Relu", [`${name}_c`], [`${name}_y`], {}, `${name}_relu`)] });
  const only = model({
    inputs: [tensorValue("x", [1, 4, 8, 8]), tensorValue("cond", [], BOOL)],
    outputs: [tensorValue("y", [1, 4, 8, 8])],
    initializers: [weight("wt", [4, 4, 3, 3]), weight("we", [4, 4, 3, 3])],
    nodes: [node("If", ["cond"], ["y"], { then_branch: branch("speech", "wt"), else_branch: branch("silence", "we") }, "vad")],
  });
  const path = writeModel("cli-if-only", only);
  await assertExact(path);
  const one = await mema("layers", path);
  assert.match(one.out, /\n1 layers, .*\nnote: the model is one layer, which holds If 'vad' with 4 nodes inside, kept whole: its condition 'cond' is an input of the model, known only when it runs\n$/);
  const json = JSON.parse((await mema("layers", path, "--json")).out) as SplitModel;
  assert.equal(json.layers[0]!.controlFlow![0]!.nodes, 4);
});
