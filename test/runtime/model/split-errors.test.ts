// Splitting refuses a folder, empty dims and shapes the model cannot run with a ModelError, not a crash.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ModelError } from "../../../runtime/model/errors.ts";
import { parseShapeSpec } from "../../../runtime/model/shapes.ts";
import { readModelFile, splitModel } from "../../../runtime/model/split.ts";
import { tempFolder, useTempCache, writeModel } from "./graph-builder.ts";
import { unpaddedConvModel } from "./split-cases.ts";

useTempCache();

const isModelError = (code: string, message: RegExp) => (e: unknown) => e instanceof ModelError && e.code === code && message.test(e.message);

test("a folder is not a model file", async () => {
  assert.throws(() => readModelFile(tempFolder()), isModelError("E_MODEL_FILE", /cannot read model file \(a folder, not an \.onnx file\)/));
  await assert.rejects(splitModel(tempFolder()), isModelError("E_MODEL_FILE", /a folder, not an \.onnx file/));
});

test("a --shape dim of 0 is refused; other dims parse", () => {
  assert.deepEqual(parseShapeSpec("x=1x3x10x100"), { name: "x", shape: [1, 3, 10, 100] });
  for (const spec of ["x=0", "x=1x0", "x=1x00x3", "x=0x3"]) assert.throws(() => parseShapeSpec(spec), isModelError("E_OPTION", /every dim must be at least 1/), spec);
});

test("shapes the model cannot run with: one line naming the file and the shapes", async () => {
  const path = writeModel("errors-unpadded", unpaddedConvModel());
  await assert.rejects(
    splitModel(path, { inputShapes: { x: [1, 3, 2, 2] } }),
    (e: unknown) => isModelError("E_SHAPE", /errors-unpadded\.onnx: the model does not run with input shapes x=1x3x2x2: /)(e) && !(e as Error).message.includes("\n"),
  );
});
