// Every input that needs a shape, named in one error with a ready-to-paste answer: --shape flags on the CLI,
// the model's `shapes: { ... }` option in a scenario (.mema and YAML write it alike).
import { test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { assertOneLineErrors, mema } from "../../cli/run-cli.ts";
import { ModelError } from "../../../runtime/model/errors.ts";
import { parseShapeSpec } from "../../../runtime/model/shapes.ts";
import { splitModel } from "../../../runtime/model/split.ts";
import { tempFolder, useTempCache, writeModel } from "./graph-builder.ts";
import { threeSymbolicInputsModel } from "./split-cases.ts";

useTempCache();

/** The `--shape a=1x2 --shape b=3` the message ends with, as splitModel's inputShapes. */
function pastedFlags(message: string): Record<string, number[]> {
  const flags = /; pass ((?:--shape \S+ ?)+)$/.exec(message)?.[1];
  assert.ok(flags, message);
  return Object.fromEntries(flags.trim().split(" ").filter((w) => w !== "--shape").map((spec) => {
    const { name, shape } = parseShapeSpec(spec);
    return [name, shape];
  }));
}

test("three symbolic inputs: one error names them all, with one --shape flag each; the flags as given split it", async () => {
  const path = writeModel("three-symbolic", threeSymbolicInputsModel());
  const error = await splitModel(path).then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof ModelError && error.code === "E_SHAPE", String(error));
  assert.equal(
    error.message,
    "missing input shapes: input 'input' has dims [batch, sequence], input 'h' has dims [2, batch, 4], input 'c' has dims [2, batch, 4]; pass --shape input=1x1 --shape h=2x1x4 --shape c=2x1x4",
  );
  const split = await splitModel(path, { inputShapes: pastedFlags(error.message) });
  assert.deepEqual(split.inputs.map((t) => `${t.name}=${t.shape.join("x")}`), ["input=1x1", "h=2x1x4", "c=2x1x4"]);
  // A symbol a given shape binds keeps its value in the others' examples; given inputs are not asked again.
  const partial = await splitModel(path, { inputShapes: { input: [3, 5] } }).then(() => undefined, (e: unknown) => e as Error);
  assert.match(partial?.message ?? "", /^missing input shapes: input 'h' has dims \[2, batch, 4\], input 'c' has dims \[2, batch, 4\]; pass --shape h=2x3x4 --shape c=2x3x4$/);
  await splitModel(path, { inputShapes: { input: [3, 5], ...pastedFlags(partial!.message) } });
});

test("mema layers: the one-line error, and its flags pasted back make it split", async () => {
  const path = writeModel("three-cli", threeSymbolicInputsModel());
  await assertOneLineErrors([
    [["layers", path], /^mema layers: error\[E_SHAPE\]: missing input shapes: input 'input' .*, input 'h' .*, input 'c' has dims \[2, batch, 4\]; pass --shape input=1x1 --shape h=2x1x4 --shape c=2x1x4\n$/],
  ]);
  const r = await mema("layers", path, "--shape", "input=1x1", "--shape", "h=2x1x4", "--shape", "c=2x1x4");
  assert.equal(r.code, 0, r.err);
});

test("a scenario's model: the error says the shapes option to write, which pasted into .mema or YAML runs", async () => {
  const folder = mkdtempSync(join(tempFolder(), "scenario-"));
  copyFileSync(writeModel("three-scenario", threeSymbolicInputsModel()), join(folder, "three.onnx"));
  const mema1 = join(folder, "three.mema");
  writeFileSync(mema1, `model three from "three.onnx";\npipeline p < model three; memory 64MB; >\n`);
  const expected = /^mema run: error\[E_SHAPE\]: model three \(.*three\.onnx\): missing input shapes: input 'input' has dims \[batch, sequence\], input 'h' has dims \[2, batch, 4\], input 'c' has dims \[2, batch, 4\]; give the model the option (shapes: \{ input: \[1, 1\], h: \[2, 1, 4\], c: \[2, 1, 4\] \})\n$/;
  await assertOneLineErrors([[["run", mema1, "--simulate"], expected], [["run", mema1], expected]]);
  const option = expected.exec((await mema("run", mema1, "--simulate")).err)![1]!;

  writeFileSync(mema1, `model three from "three.onnx" { ${option} };\npipeline p < model three; memory 64MB; >\n`);
  for (const argv of [["run", mema1, "--simulate"], ["run", mema1]]) {
    const r = await mema(...argv);
    assert.equal(r.code, 0, `${argv.join(" ")}: ${r.err}`);
  }
  const yaml = join(folder, "three.yaml");
  writeFileSync(yaml, `models:\n  three: { from: three.onnx }\npipelines:\n  - name: p\n    models: [three]\n    memory: 64MB\n`);
  await assertOneLineErrors([[["run", yaml, "--simulate"], expected]]);
  writeFileSync(yaml, `models:\n  three: { from: three.onnx, ${option} }\npipelines:\n  - name: p\n    models: [three]\n    memory: 64MB\n`);
  const r = await mema("run", yaml, "--simulate");
  assert.equal(r.code, 0, r.err);
});

test("a partly given shapes option: the record to write keeps the given shape and adds the others", async () => {
  const folder = mkdtempSync(join(tempFolder(), "partial-"));
  copyFileSync(writeModel("three-partial", threeSymbolicInputsModel()), join(folder, "three.onnx"));
  const file = join(folder, "three.mema");
  writeFileSync(file, `model three from "three.onnx" { shapes: { input: [3, 5] } };\npipeline p < model three; memory 64MB; >\n`);
  await assertOneLineErrors([[["run", file, "--simulate"], /missing input shapes: input 'h' .*, input 'c' .*; give the model the option shapes: \{ input: \[3, 5\], h: \[2, 3, 4\], c: \[2, 3, 4\] \}\n$/]]);
});

test("a scenario's shapes the model does not take: said of the shapes option, not of --shape", async () => {
  const folder = mkdtempSync(join(tempFolder(), "wrong-"));
  copyFileSync(writeModel("three-wrong", threeSymbolicInputsModel()), join(folder, "three.onnx"));
  const file = join(folder, "three.mema");
  const cases: [string, RegExp][] = [
    ["{ inptu: [1, 1] }", /error\[E_OPTION\]: model three \(.*three\.onnx\): option shapes: names 'inptu', but the model's inputs are: input, h, c\n$/],
    ["{ input: [1, 1], h: [2, 1], c: [2, 1, 4] }", /error\[E_OPTION\]: model three \(.*\): option shapes: h: 2 dims given, the model declares 3 \(\[2, batch, 4\]\)\n$/],
    ["{ input: [1, 1], h: [3, 1, 4], c: [2, 1, 4] }", /error\[E_OPTION\]: model three \(.*\): option shapes: h: dim 0 is 3, the model fixes it at 2 \(\[2, batch, 4\]\)\n$/],
  ];
  for (const [shapes, pattern] of cases) {
    writeFileSync(file, `model three from "three.onnx" { shapes: ${shapes} };\npipeline p < model three; memory 64MB; >\n`);
    await assertOneLineErrors([[["run", file, "--simulate"], pattern], [["run", file], pattern]]);
  }
  await assertOneLineErrors([[["layers", join(folder, "three.onnx"), "--shape", "inptu=1x1"], /error\[E_OPTION\]: --shape names 'inptu', but the model's inputs are: input, h, c\n$/]]);
});
