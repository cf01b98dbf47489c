// Models from the wild, small: built in test code (onnx-buf, seeded weights), shared by the split tests and
// the pipeline test. A float16 U-Net; a transformer encoder and a decoder step follow.
import { create } from "@bufbuild/protobuf";
import { TensorProtoSchema } from "onnx-buf";
import { FLOAT, FLOAT16, model, node, tensorValue, weight } from "./graph-builder.ts";

const half = (name: string, dims: number[], scale = 1) => weight(name, dims, { half: true, scale });
const floats = (name: string, data: number[]) =>
  create(TensorProtoSchema, { name, dataType: FLOAT, dims: [BigInt(data.length)], rawData: new Uint8Array(new Float32Array(data).buffer) });

/** A small float16 U-Net: encoder, residual block, decoder with a skip, two sigmoid side outputs fused into a third, a class head. */
export function halfUnet() {
  const pad = { pads: [1, 1, 1, 1] };
  return model({
    inputs: [tensorValue("x", [1, 3, 32, 32], FLOAT16)],
    outputs: [tensorValue("side1", [1, 1, 32, 32], FLOAT16), tensorValue("side2", [1, 1, 32, 32], FLOAT16), tensorValue("fused", [1, 1, 32, 32], FLOAT16), tensorValue("class", [1, 10], FLOAT16)],
    initializers: [
      half("w1", [8, 3, 3, 3], 0.5), half("b1", [8], 0.1),
      half("w2", [16, 8, 3, 3], 0.2), half("bn_scale", [16]), half("bn_bias", [16], 0.1), half("bn_mean", [16], 0.1), weight("bn_var", [16], { half: true, scale: 0.2 }),
      half("w3", [16, 16, 3, 3], 0.15), half("b3", [16], 0.1),
      half("wt", [16, 8, 2, 2], 0.3), half("bt", [8], 0.1),
      half("w4", [8, 16, 3, 3], 0.2),
      half("ws1", [1, 8, 1, 1]), half("ws2", [1, 8, 1, 1]), half("wf", [1, 2, 1, 1]),
      floats("scales", [1, 1, 2, 2]),
      half("fc", [10, 16], 0.5), half("fcb", [10], 0.1),
    ],
    nodes: [
      node("Conv", ["x", "w1", "b1"], ["c1"], pad, "enc1"), node("Relu", ["c1"], ["e1"]),
      node("MaxPool", ["e1"], ["p1"], { kernel_shape: [2, 2], strides: [2, 2] }),
      node("Conv", ["p1", "w2"], ["c2"], pad, "enc2"),
      node("Abs", ["bn_var"], ["var"]),
      node("BatchNormalization", ["c2", "bn_scale", "bn_bias", "bn_mean", "var"], ["n2"]), node("Relu", ["n2"], ["e2"]),
      node("Conv", ["e2", "w3", "b3"], ["c3"], pad, "res"), node("Relu", ["c3"], ["r3"]), node("Add", ["e2", "r3"], ["r"]),
      node("ConvTranspose", ["r", "wt", "bt"], ["u1"], { strides: [2, 2] }, "up"),
      node("Resize", ["r", "", "scales"], ["u2"], { mode: "nearest" }),
      node("ReduceMean", ["u2"], ["u2m"], { axes: [1], keepdims: 1 }),
      node("Concat", ["u1", "e1"], ["cat"], { axis: 1 }),
      node("Conv", ["cat", "w4"], ["c4"], pad, "dec"), node("Relu", ["c4"], ["d"]),
      node("Conv", ["d", "ws1"], ["s1"], {}, "side1conv"), node("Sigmoid", ["s1"], ["side1"]),
      node("Mul", ["u1", "u2m"], ["g"]),
      node("Conv", ["g", "ws2"], ["s2"], {}, "side2conv"), node("Sigmoid", ["s2"], ["side2"]),
      node("Concat", ["side1", "side2"], ["sides"], { axis: 1 }),
      node("Conv", ["sides", "wf"], ["f"], {}, "fuse"), node("Sigmoid", ["f"], ["fused"]),
      node("GlobalAveragePool", ["r"], ["gap"]), node("Flatten", ["gap"], ["flat"]),
      node("Gemm", ["flat", "fc", "fcb"], ["class"], { transB: 1 }, "head"),
    ],
  });
}

