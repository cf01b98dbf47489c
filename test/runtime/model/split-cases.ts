// Hand-built models, one per splitting situation: chains, DAGs, constants, subgraphs, symbolic dims, tiling.
import { clone, create } from "@bufbuild/protobuf";
import { type ModelProto, ModelProtoSchema, TensorProtoSchema } from "onnx-buf";
import { BOOL, FLOAT, graph, int64s, model, node, tensorValue, weight } from "./graph-builder.ts";

/** conv -> relu -> pool | conv -> relu -> flatten | gemm -> softmax: three default layers. */
export function chainModel(options: { valueInfo?: boolean; noData?: boolean } = {}): ModelProto {
  const w = (name: string, dims: number[]) => weight(name, dims, { noData: options.noData });
  return model({
    inputs: [tensorValue("x", [1, 3, 8, 8])],
    outputs: [tensorValue("probs", [1, 10])],
    initializers: [w("w1", [8, 3, 3, 3]), w("b1", [8]), w("w2", [16, 8, 3, 3]), w("b2", [16]), w("w3", [10, 64]), w("b3", [10])],
    nodes: [
      node("Conv", ["x", "w1", "b1"], ["c1"], { pads: [1, 1, 1, 1] }, "conv1"),
      node("Relu", ["c1"], ["r1"], {}, "relu1"),
      node("MaxPool", ["r1"], ["p1"], { kernel_shape: [2, 2], strides: [2, 2] }, "pool1"),
      node("Conv", ["p1", "w2", "b2"], ["c2"], { pads: [1, 1, 1, 1], strides: [2, 2] }, "conv2"),
      node("Relu", ["c2"], ["r2"], {}, "relu2"),
      node("Flatten", ["r2"], ["f2"], {}, "flatten2"),
      node("Gemm", ["f2", "w3", "b3"], ["g3"], { transB: 1 }, "fc3"),
      node("Softmax", ["g3"], ["probs"], {}, "softmax3"),
    ],
    valueInfo: options.valueInfo
      ? [
          tensorValue("c1", [1, 8, 8, 8]), tensorValue("r1", [1, 8, 8, 8]), tensorValue("p1", [1, 8, 4, 4]),
          tensorValue("c2", [1, 16, 2, 2]), tensorValue("r2", [1, 16, 2, 2]), tensorValue("f2", [1, 64]),
          tensorValue("g3", [1, 10]),
        ]
      : [],
  });
}

/** The chain's nodes listed back to front. */
export function shuffledChainModel(): ModelProto {
  const proto = clone(ModelProtoSchema, chainModel());
  proto.graph!.node.reverse();
  return proto;
}

/**
 * Two inputs, a residual Add, parallel branches joined by Concat, an output from the middle (r1) and
 * a second output: a DAG whose layers pass several values along.
 */
export function dagModel(): ModelProto {
  return model({
    inputs: [tensorValue("x", [1, 4, 6, 6]), tensorValue("y", [1, 16, 6, 6])],
    outputs: [tensorValue("out", [1, 16, 6, 6]), tensorValue("r1", [1, 8, 6, 6]), tensorValue("side", [1, 8, 6, 6])],
    initializers: [weight("wa", [8, 4, 3, 3]), weight("wb", [8, 8, 3, 3]), weight("wc", [8, 8, 1, 1]), weight("wd", [16, 16, 3, 3])],
    nodes: [
      node("Conv", ["x", "wa"], ["a"], { pads: [1, 1, 1, 1] }, "conv_a"),
      node("Relu", ["a"], ["r1"], {}, "relu_a"),
      node("Conv", ["r1", "wb"], ["b"], { pads: [1, 1, 1, 1] }, "branch_b"),
      node("Add", ["b", "r1"], ["res"], {}, "residual"),
      node("Conv", ["r1", "wc"], ["c"], {}, "branch_c"),
      node("Sigmoid", ["c"], ["side"], {}, "side_sigmoid"),
      node("Concat", ["res", "c"], ["cat"], { axis: 1 }, "concat"),
      node("Conv", ["cat", "wd"], ["d"], { pads: [1, 1, 1, 1] }, "conv_d"),
      node("Add", ["d", "y"], ["out"], {}, "add_y"),
    ],
  });
}

/**
 * Weights in Constant nodes (raw_data and float_data) and one initializer shared by two MatMuls.
 */
export function constantsModel(): ModelProto {
  const wConst = weight("unused", [32, 32], { floatData: true });
  const biasConst = weight("unused", [32]);
  const shared = weight("shared", [32, 32]);
  return model({
    inputs: [tensorValue("x", [2, 32])],
    outputs: [tensorValue("out", [2, 32])],
    initializers: [shared],
    nodes: [
      node("Constant", [], ["wc"], { value: wConst }, "const_w"),
      node("Constant", [], ["bc"], { value: biasConst }, "const_b"),
      node("Constant", [], ["half"], { value_float: { float: 0.5 } }, "const_half"),
      node("MatMul", ["x", "wc"], ["m0"], {}, "mm0"),
      node("Add", ["m0", "bc"], ["a0"], {}, "bias0"),
      node("MatMul", ["a0", "shared"], ["m1"], {}, "mm1"),
      node("Relu", ["m1"], ["r1"], {}, "relu1"),
      node("MatMul", ["r1", "shared"], ["m2"], {}, "mm2"),
      node("Mul", ["m2", "half"], ["out"], {}, "scale"),
    ],
  });
}

/** An If whose branches read outer values (an activation and an initializer), a Loop that reads an activation, a Scan reading an initializer. */
export function subgraphModel(): ModelProto {
  const thenBranch = graph({
    name: "then", inputs: [], outputs: [tensorValue("t_out")],
    nodes: [node("Add", ["h", "bias"], ["t_out"], {}, "then_add")],
  });
  const elseBranch = graph({
    name: "else", inputs: [], outputs: [tensorValue("e_out")],
    nodes: [node("Mul", ["h", "h"], ["e_out"], {}, "else_mul")],
  });
  const body = graph({
    name: "body",
    inputs: [tensorValue("iter", [], 7), tensorValue("cond_in", [], BOOL), tensorValue("v_in")],
    outputs: [tensorValue("cond_out", [], BOOL), tensorValue("v_out")],
    nodes: [node("Identity", ["cond_in"], ["cond_out"], {}, "body_cond"), node("Add", ["v_in", "h"], ["v_out"], {}, "body_add")],
  });
  const scanBody = graph({
    name: "scan_body",
    inputs: [tensorValue("state_in"), tensorValue("row")],
    outputs: [tensorValue("state_out"), tensorValue("scaled")],
    nodes: [node("Add", ["state_in", "row"], ["state_out"], {}, "scan_add"), node("Mul", ["row", "bias"], ["scaled"], {}, "scan_mul")],
  });
  return model({
    inputs: [tensorValue("x", [1, 16]), tensorValue("flag", [], BOOL)],
    outputs: [tensorValue("y", [1, 16]), tensorValue("looped", [1, 16]), tensorValue("scanned", [1, 16])],
    initializers: [weight("w", [16, 16]), weight("bias", [1, 16]), int64s("trips", [3]), weight("w2", [16, 16])],
    nodes: [
      node("MatMul", ["x", "w"], ["h"], {}, "mm"),
      node("If", ["flag"], ["branch"], { then_branch: thenBranch, else_branch: elseBranch }, "choose"),
      node("Reshape", ["trips", "trips_shape"], ["trip_count"], {}, "trip_scalar"),
      node("Constant", [], ["trips_shape"], { value: int64s("s", []) }, "empty_shape"),
      node("Constant", [], ["true"], { value: boolScalar() }, "const_true"),
      node("Loop", ["trip_count", "true", "branch"], ["looped"], { body }, "loop"),
      node("MatMul", ["looped", "w2"], ["y"], {}, "mm_out"),
      node("Scan", ["branch", "x"], ["scanned", "scan_rows"], { body: scanBody, num_scan_inputs: 1 }, "scan"),
    ],
  });
}

function boolScalar() {
  const t = weight("b", []);
  t.dataType = BOOL;
  t.rawData = new Uint8Array([1]);
  return t;
}

/** Symbolic batch and spatial dims, with value_info stating intermediate dims by the same symbols. */
export function symbolicModel(options: { noData?: boolean } = {}): ModelProto {
  return model({
    inputs: [tensorValue("x", ["N", 3, "H", "W"])],
    outputs: [tensorValue("y", ["N", 8, "H", "W"])],
    initializers: [weight("w1", [8, 3, 3, 3], options), weight("w2", [8, 8, 3, 3], options)],
    valueInfo: [tensorValue("c1", ["N", 8, "H", "W"]), tensorValue("r1", ["N", 8, "H", "W"])],
    nodes: [
      node("Conv", ["x", "w1"], ["c1"], { pads: [1, 1, 1, 1] }, "conv1"),
      node("Relu", ["c1"], ["r1"], {}, "relu1"),
      node("Conv", ["r1", "w2"], ["y"], { pads: [1, 1, 1, 1] }, "conv2"),
    ],
  });
}

/** Layers big enough to tile: Conv, Gemm with transB 1 and 0, MatMul, ConvTranspose. */
export function tilingModel(): ModelProto {
  return model({
    inputs: [tensorValue("x", [1, 8, 6, 6])],
    outputs: [tensorValue("out", [1, 40]), tensorValue("up", [1, 12, 7, 7])],
    initializers: [
      weight("wconv", [64, 8, 3, 3]), weight("bconv", [64]),
      weight("wt", [64, 12, 2, 2]), weight("bt", [12]),
      weight("wg1", [96, 64]), weight("bg1", [96]),
      weight("wg2", [96, 80]), weight("bg2", [1, 80]),
      weight("wm", [80, 40]),
    ],
    nodes: [
      node("Conv", ["x", "wconv", "bconv"], ["c"], { pads: [1, 1, 1, 1] }, "conv"),
      node("Relu", ["c"], ["r"], {}, "relu"),
      node("ConvTranspose", ["r", "wt", "bt"], ["up"], { strides: [1, 1] }, "deconv"),
      node("GlobalAveragePool", ["r"], ["gp"], {}, "gap"),
      node("Flatten", ["gp"], ["f"], {}, "flatten"),
      node("Gemm", ["f", "wg1", "bg1"], ["g1"], { transB: 1 }, "fc1"),
      node("Relu", ["g1"], ["r1"], {}, "relu_fc1"),
      node("Gemm", ["r1", "wg2", "bg2"], ["g2"], {}, "fc2"),
      node("MatMul", ["g2", "wm"], ["out"], {}, "proj"),
    ],
  });
}

/** A grouped Conv (2 groups) then a depthwise Conv (64 groups), at a given opset (Slice changed form at 10). */
export function groupedConvModel(opset = 17): ModelProto {
  return model({
    inputs: [tensorValue("x", [1, 8, 6, 6])],
    outputs: [tensorValue("out", [1, 64, 6, 6])],
    initializers: [weight("wg", [64, 4, 3, 3]), weight("bg", [64]), weight("wd", [64, 1, 3, 3]), weight("bd", [64])],
    nodes: [
      node("Conv", ["x", "wg", "bg"], ["g"], { pads: [1, 1, 1, 1], group: 2 }, "grouped"),
      node("Relu", ["g"], ["r"], {}, "relu"),
      node("Conv", ["r", "wd", "bd"], ["out"], { pads: [1, 1, 1, 1], group: 64 }, "depthwise"),
    ],
  }, opset);
}

/** A graph whose weights live in a separate file (ONNX external data), as large models ship. */
export function externalDataModel(location: string): { proto: ModelProto; data: Uint8Array } {
  const proto = chainModel();
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const tensor of proto.graph!.initializer) {
    const bytes = tensor.rawData;
    tensor.rawData = new Uint8Array(0);
    tensor.dataLocation = 1;
    tensor.externalData = [
      { $typeName: "onnx.StringStringEntryProto", key: "location", value: location },
      { $typeName: "onnx.StringStringEntryProto", key: "offset", value: String(offset) },
      { $typeName: "onnx.StringStringEntryProto", key: "length", value: String(bytes.length) },
    ];
    chunks.push(bytes);
    offset += bytes.length;
  }
  const data = new Uint8Array(offset);
  let at = 0;
  for (const c of chunks) {
    data.set(c, at);
    at += c.length;
  }
  return { proto, data };
}

/** A node onnxruntime has no kernel for. */
export function unsupportedOpModel(): ModelProto {
  return model({
    inputs: [tensorValue("x", [1, 4])],
    outputs: [tensorValue("y")],
    nodes: [node("Relu", ["x"], ["r"], {}, "relu"), node("FrobnicateTensor", ["r"], ["y"], {}, "frob")],
  });
}

export { FLOAT };

/** A 3x3 Conv without padding on symbolic H, W: inputs smaller than 3x3 pass the shape check and fail in onnxruntime. */
export function unpaddedConvModel(): ModelProto {
  return model({
    inputs: [tensorValue("x", ["N", 3, "H", "W"])],
    outputs: [tensorValue("y", ["N", 8, "H2", "W2"])],
    initializers: [weight("w1", [8, 3, 3, 3])],
    nodes: [node("Conv", ["x", "w1"], ["y"], {}, "conv1")],
  });
}

/** Three inputs with symbolic dims (a recurrent step: input, h, c), `batch` shared: the case of one error naming all. */
export function threeSymbolicInputsModel(): ModelProto {
  return model({
    inputs: [tensorValue("input", ["batch", "sequence"]), tensorValue("h", [2, "batch", 4]), tensorValue("c", [2, "batch", 4])],
    outputs: [tensorValue("y"), tensorValue("hy"), tensorValue("cy")],
    nodes: [node("Relu", ["input"], ["y"], {}, "relu_in"), node("Relu", ["h"], ["hy"], {}, "relu_h"), node("Relu", ["c"], ["cy"], {}, "relu_c")],
  });
}

/** How an If's condition is given: a bool initializer, a Constant node, a graph input, or computed by a node. */
export type ConditionKind = "initializer" | "constant" | "input" | "computed";

/**
 * The work of the model inside an If (a voice-activity model's shape): conv0, then an If whose taken branch
 * holds three Convs (a captured main weight, a branch initializer, a branch Constant, a nested If on a branch
 * Constant, a value named like one of the main graph's), then conv9. `taken` picks the branch the constant
 * condition takes; the else branch returns a constant of its own.
 */
export function ifModel(condition: ConditionKind, taken = true): ModelProto {
  const C = 4;
  const dims = [1, C, 8, 8];
  const conv = (input: string, w: string, out: string, name: string) => node("Conv", [input, w], [out], { pads: [1, 1, 1, 1] }, name);
  const innerThen = graph({
    name: "inner_then", inputs: [], outputs: [tensorValue("n_out")],
    nodes: [conv("b", "w_nested", "n_x", "nested_conv"), node("Relu", ["n_x"], ["n_out"], {}, "nested_relu")],
  });
  const innerElse = graph({ name: "inner_else", inputs: [], outputs: [tensorValue("n_x")], nodes: [node("Neg", ["b"], ["n_x"], {}, "nested_neg")] });
  const thenBranch = graph({
    name: "then", inputs: [], outputs: [tensorValue("t_out")],
    initializers: [weight("w_branch", [C, C, 3, 3])],
    nodes: [
      conv("a", "w_main", "t1", "then_conv1"),
      node("Constant", [], ["half"], { value: create(TensorProtoSchema, { name: "", dataType: FLOAT, dims: [], floatData: [0.5] }) }, "then_half"),
      node("Mul", ["t1", "half"], ["t2"], {}, "then_mul"),
      node("Relu", ["t2"], ["b"], {}, "then_relu"),
      node("Constant", [], ["inner_flag"], { value: create(TensorProtoSchema, { name: "", dataType: BOOL, dims: [], int32Data: [1] }) }, "then_flag"),
      node("If", ["inner_flag"], ["n"], { then_branch: innerThen, else_branch: innerElse }, "nested_if"),
      conv("n", "w_branch", "t_out", "then_conv3"),
    ],
  });
  // The else branch returns its initializer as it is: inlined, an Identity gives it the If's output name.
  const elseBranch = graph({ name: "else", inputs: [], outputs: [tensorValue("e_const")], nodes: [], initializers: [weight("e_const", dims)] });
  const nodes = [
    conv("x", "w0", "a", "conv0"),
    node("If", ["cond"], ["chosen"], { then_branch: thenBranch, else_branch: elseBranch }, "vad_if"),
    conv("chosen", "w9", "y", "conv9"),
    node("Relu", ["a"], ["side"], {}, "side_relu"),
  ];
  const inputs = [tensorValue("x", dims)];
  const initializers = [weight("w0", [C, C, 3, 3]), weight("w_main", [C, C, 3, 3]), weight("w_nested", [C, C, 3, 3]), weight("w9", [C, C, 3, 3])];
  const flag = create(TensorProtoSchema, { name: "cond", dataType: BOOL, dims: [], rawData: new Uint8Array([taken ? 1 : 0]) });
  if (condition === "initializer") initializers.push(flag);
  if (condition === "constant") nodes.push(node("Constant", [], ["cond"], { value: flag }, "cond_const"));
  if (condition === "input") inputs.push(tensorValue("cond", [], BOOL));
  if (condition === "computed") {
    // ReduceSum(x) > 0: known only from the input.
    nodes.push(node("ReduceSum", ["x"], ["sum"], { keepdims: 0 }, "sum"), node("Greater", ["sum", "zero"], ["cond"], {}, "positive"));
    initializers.push(create(TensorProtoSchema, { name: "zero", dataType: FLOAT, dims: [], floatData: [0] }));
  }
  return model({ inputs, outputs: [tensorValue("y", dims), tensorValue("side", dims)], nodes, initializers });
}
