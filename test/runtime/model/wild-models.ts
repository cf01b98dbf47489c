// Models from the wild, small: built in test code (onnx-buf, seeded weights), shared by the split tests and
// the pipeline test. A float16 U-Net; a transformer encoder and a decoder step follow.
import { clone, create } from "@bufbuild/protobuf";
import { type ModelProto, ModelProtoSchema, type TensorProto, TensorProtoSchema } from "onnx-buf";
import { BOOL, FLOAT, FLOAT16, float16Bits, graph, INT64, int64s, model, node, tensorValue, weight } from "./graph-builder.ts";

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


/** A scalar (dims []) of the element type: float32, or float16 when `half`. */
function scalar(name: string, value: number, half: boolean) {
  const data = half ? new Uint16Array([float16Bits(value)]) : new Float32Array([value]);
  return create(TensorProtoSchema, { name, dataType: half ? FLOAT16 : FLOAT, dims: [], rawData: new Uint8Array(data.buffer) });
}

export const TRANSFORMER = { width: 32, heads: 4, headWidth: 8, vocabulary: 32, positions: 16, hidden: 128 } as const;

/**
 * Pre-norm attention and a GELU (Erf) feed-forward block, each with its residual Add; weights seeded, `half`
 * for float16. `x` is [1, S, width]; the block's output is `${p}out`.
 */
function block(p: string, x: string, half: boolean, present?: { pastK: string; pastV: string }) {
  const { width: D, heads: H, headWidth: dh, hidden: F } = TRANSFORMER;
  const w = (name: string, dims: number[], scale = 0.3) => weight(p + name, dims, { half, scale });
  const initializers = [
    w("ln1_g", [D], 1), w("ln1_b", [D], 0.1), w("wq", [D, D]), w("bq", [D], 0.1), w("wk", [D, D]), w("bk", [D], 0.1), w("wv", [D, D]), w("bv", [D], 0.1),
    w("wo", [D, D]), w("bo", [D], 0.1), w("ln2_g", [D], 1), w("ln2_b", [D], 0.1), w("w1", [D, F], 0.2), w("b1", [F], 0.1), w("w2", [F, D], 0.1), w("b2", [D], 0.1),
    scalar(p + "scale", 1 / Math.sqrt(dh), half), scalar(p + "half", 0.5, half), scalar(p + "one", 1, half), scalar(p + "sqrt2", Math.SQRT2, half),
    int64s(p + "heads", [1, -1, H, dh]), int64s(p + "merged", [1, -1, D]),
  ];
  const n = (op: string, inputs: string[], outputs: string[], attrs: Parameters<typeof node>[3] = {}) => node(op, inputs.map((i) => (i.startsWith("@") ? i.slice(1) : p + i)), outputs.map((o) => p + o), attrs, p + outputs[0]);
  const nodes = [
    n("LayerNormalization", [`@${x}`, "ln1_g", "ln1_b"], ["ln1"], { axis: -1, epsilon: { float: 1e-5 } }),
    ...["q", "k", "v"].flatMap((m) => [n("MatMul", ["ln1", `w${m}`], [`${m}0`]), n("Add", [`${m}0`, `b${m}`], [m]), n("Reshape", [m, "heads"], [`${m}4`])]),
    n("Transpose", ["q4"], ["qh"], { perm: [0, 2, 1, 3] }),
    n("Transpose", ["k4"], ["kh"], { perm: [0, 2, 1, 3] }),
    n("Transpose", ["v4"], ["vh"], { perm: [0, 2, 1, 3] }),
    ...(present
      ? [n("Concat", [`@${present.pastK}`, "kh"], ["present_k"], { axis: 2 }), n("Concat", [`@${present.pastV}`, "vh"], ["present_v"], { axis: 2 })]
      : []),
    n("Transpose", [present ? "present_k" : "kh"], ["kt"], { perm: [0, 1, 3, 2] }),
    n("MatMul", ["qh", "kt"], ["scores"]), n("Mul", ["scores", "scale"], ["scaled"]), n("Softmax", ["scaled"], ["attn"], { axis: -1 }),
    n("MatMul", ["attn", present ? "present_v" : "vh"], ["ctx"]), n("Transpose", ["ctx"], ["ctx_t"], { perm: [0, 2, 1, 3] }), n("Reshape", ["ctx_t", "merged"], ["ctx_m"]),
    n("MatMul", ["ctx_m", "wo"], ["o0"]), n("Add", ["o0", "bo"], ["o"]), n("Add", [`@${x}`, "o"], ["h1"]),
    n("LayerNormalization", ["h1", "ln2_g", "ln2_b"], ["ln2"], { axis: -1, epsilon: { float: 1e-5 } }),
    n("MatMul", ["ln2", "w1"], ["f0"]), n("Add", ["f0", "b1"], ["f1"]),
    n("Div", ["f1", "sqrt2"], ["fs"]), n("Erf", ["fs"], ["fe"]), n("Add", ["fe", "one"], ["fa"]), n("Mul", ["f1", "fa"], ["fm"]), n("Mul", ["fm", "half"], ["gelu"]),
    n("MatMul", ["gelu", "w2"], ["g0"]), n("Add", ["g0", "b2"], ["g"]), n("Add", ["h1", "g"], ["out"]),
  ];
  return { nodes, initializers };
}

/** A two-block transformer encoder over token ids [1, seq] (a dynamic length): token and position embeddings (Gather), output [1, seq, width]. */
export function transformerEncoder(half = false) {
  const { width: D, vocabulary: V, positions: P } = TRANSFORMER;
  const T = half ? FLOAT16 : FLOAT;
  const first = block("b1/", "h0", half);
  const second = block("b2/", "b1/out", half);
  return model({
    inputs: [tensorValue("ids", [1, "seq"], INT64)],
    outputs: [tensorValue("encoded", [1, "seq", D], T)],
    initializers: [
      weight("tokens", [V, D], { half }), weight("positions", [P, D], { half, scale: 0.2 }), weight("ln_g", [D], { half }), weight("ln_b", [D], { half, scale: 0.1 }),
      int64s("axis1", [1]), scalarInt("zero", 0), scalarInt("step", 1),
      ...first.initializers, ...second.initializers,
    ],
    nodes: [
      node("Gather", ["tokens", "ids"], ["emb"], {}, "embed"),
      node("Shape", ["ids"], ["ids_shape"]), node("Gather", ["ids_shape", "axis1"], ["len1"], { axis: 0 }), node("Squeeze", ["len1"], ["len"]),
      node("Range", ["zero", "len", "step"], ["pos"]), node("Gather", ["positions", "pos"], ["pos_emb"], {}, "position"),
      node("Add", ["emb", "pos_emb"], ["h0"]),
      ...first.nodes, ...second.nodes,
      node("LayerNormalization", ["b2/out", "ln_g", "ln_b"], ["encoded"], { axis: -1, epsilon: { float: 1e-5 } }, "final_norm"),
    ],
  });
}

/** One decoder step: a token id [1, 1] and the past keys/values [1, heads, past, headWidth] in; logits and the present keys/values out. */
export function decoderStep(half = false) {
  const { width: D, heads: H, headWidth: dh, vocabulary: V } = TRANSFORMER;
  const T = half ? FLOAT16 : FLOAT;
  const one = block("d/", "x", half, { pastK: "past_k", pastV: "past_v" });
  return model({
    inputs: [tensorValue("token", [1, 1], INT64), tensorValue("past_k", [1, H, "past", dh], T), tensorValue("past_v", [1, H, "past", dh], T)],
    outputs: [tensorValue("logits", [1, 1, V], T), tensorValue("d/present_k", [1, H, "total", dh], T), tensorValue("d/present_v", [1, H, "total", dh], T)],
    initializers: [weight("tokens", [V, D], { half }), weight("ln_g", [D], { half }), weight("ln_b", [D], { half, scale: 0.1 }), weight("lm", [D, V], { half, scale: 0.3 }), ...one.initializers],
    nodes: [
      node("Gather", ["tokens", "token"], ["x"], {}, "embed"),
      ...one.nodes,
      node("LayerNormalization", ["d/out", "ln_g", "ln_b"], ["final"], { axis: -1, epsilon: { float: 1e-5 } }, "final_norm"),
      node("MatMul", ["final", "lm"], ["logits"], {}, "lm_head"),
    ],
  });
}

function scalarInt(name: string, value: number) {
  return create(TensorProtoSchema, { name, dataType: INT64, dims: [], rawData: new Uint8Array(new BigInt64Array([BigInt(value)]).buffer) });
}

/** float16 convolutions around an If whose branches compute on an outer value (a condition input picks one). */
export function halfBranches() {
  const pad = { pads: [1, 1, 1, 1] };
  const branch = (name: string, op: string) =>
    graph({ name, inputs: [], outputs: [tensorValue(`${name}_y`, [1, 4, 8, 8], FLOAT16)], nodes: [node("Conv", ["a", "wb"], [`${name}_c`], pad, `${name}_conv`), node(op, [`${name}_c`], [`${name}_y`])] });
  return model({
    inputs: [tensorValue("x", [1, 4, 8, 8], FLOAT16), tensorValue("pick", [], BOOL)],
    outputs: [tensorValue("y", [1, 4, 8, 8], FLOAT16)],
    initializers: [weight("w1", [4, 4, 3, 3], { half: true, scale: 0.3 }), weight("wb", [4, 4, 3, 3], { half: true, scale: 0.3 }), weight("w2", [4, 4, 3, 3], { half: true, scale: 0.3 })],
    nodes: [
      node("Conv", ["x", "w1"], ["c1"], pad, "before"), node("Relu", ["c1"], ["a"]),
      node("If", ["pick"], ["b"], { then_branch: branch("then", "Relu"), else_branch: branch("else", "Sigmoid") }, "choose"),
      node("Conv", ["b", "w2"], ["c2"], pad, "after"), node("Add", ["c2", "a"], ["y"]),
    ],
  });
}

/**
 * A float32 model made float16 as converters do it (onnxconverter-common's convert_float_to_float16, simply):
 * float weights, Constant values, inputs and outputs to float16, Casts to float made Casts to float16; Resize's
 * roi and scales stay float32 (the operator takes them so). value_info is dropped (discovered again).
 */
export function halfPrecisionCopy(original: ModelProto): ModelProto {
  const copy = clone(ModelProtoSchema, original);
  const graph = copy.graph!;
  const keepFloat = new Set(graph.node.filter((n) => n.opType === "Resize").flatMap((n) => n.input.slice(1)));
  const toHalf = (t: TensorProto) => {
    if (t.dataType !== FLOAT || keepFloat.has(t.name)) return;
    const raw = new DataView(t.rawData.buffer, t.rawData.byteOffset, t.rawData.byteLength);
    const floats = t.rawData.length > 0 ? Array.from({ length: t.rawData.length / 4 }, (_, i) => raw.getFloat32(i * 4, true)) : t.floatData;
    t.dataType = FLOAT16;
    t.floatData = [];
    t.rawData = new Uint8Array(Uint16Array.from(floats, float16Bits).buffer);
  };
  graph.initializer.forEach(toHalf);
  for (const n of graph.node) {
    if (n.opType === "Constant" && !keepFloat.has(n.output[0]!)) for (const a of n.attribute) if (a.t) toHalf(a.t);
    if (n.opType === "Cast") for (const a of n.attribute) if (a.name === "to" && Number(a.i) === FLOAT) a.i = BigInt(FLOAT16);
  }
  for (const value of [...graph.input, ...graph.output]) {
    const tensor = value.type?.value.case === "tensorType" ? value.type.value.value : undefined;
    if (tensor?.elemType === FLOAT) tensor.elemType = FLOAT16;
  }
  graph.valueInfo = [];
  return copy;
}

/** float16 convolutions around a float32 island (explicit Casts, as mixed-precision exports keep norms in float32). */
export function halfWithFloatIsland() {
  const pad = { pads: [1, 1, 1, 1] };
  return model({
    inputs: [tensorValue("x", [1, 4, 8, 8], FLOAT16)],
    outputs: [tensorValue("y", [1, 4, 8, 8], FLOAT16), tensorValue("y32", [1, 4, 8, 8], FLOAT)],
    initializers: [weight("w1", [4, 4, 3, 3], { half: true, scale: 0.3 }), weight("w2", [4, 4, 3, 3], { half: true, scale: 0.3 }), weight("g", [8], { scale: 1 }), weight("b", [8], { scale: 0.1 })],
    nodes: [
      node("Conv", ["x", "w1"], ["c1"], pad, "conv1"),
      node("Cast", ["c1"], ["c1f"], { to: FLOAT }, "to_float"),
      node("LayerNormalization", ["c1f", "g", "b"], ["n"], { axis: -1 }, "norm"),
      node("Cast", ["n"], ["n16"], { to: FLOAT16 }, "to_half"),
      node("Conv", ["n16", "w2"], ["c2"], pad, "conv2"), node("Relu", ["c2"], ["y"]),
      node("Cast", ["y"], ["y32"], { to: FLOAT }, "out_float"),
    ],
  });
}
