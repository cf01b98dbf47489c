// The Caffe prototxt importer: EdgeCaffe's prototxts import to exactly the zoo's networks; user files, both
// syntaxes; one-line errors with line:col; `mema import-caffe` writes a model onnxruntime runs.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { main } from "../../cli/main.ts";
import { createSession, hostTensor } from "../../runtime/host/onnxruntime.ts";
import { ZOO_SPECS, zooGraph } from "../../stdlib/zoo/index.ts";
import { importPrototxt, parsePrototxt, PrototxtError } from "../../stdlib/zoo/prototxt.ts";
import { skipTest } from "../skip.ts";

test("EdgeCaffe's ten prototxts import to exactly the zoo's hand-written networks", (t) => {
  const root = new URL("../../../shared/edgecaffe/networks/", import.meta.url);
  if (!existsSync(root)) return skipTest(t, "../shared/edgecaffe not present");
  for (const spec of ZOO_SPECS) {
    const dir = new URL(`${spec.caffeName}/`, root);
    const file = /^network-file:\s*(\S+)/m.exec(readFileSync(new URL("description.yaml", dir), "utf8"))![1]!;
    const graph = importPrototxt(readFileSync(new URL(file, dir), "utf8"), { name: spec.name, where: file });
    assert.deepEqual(graph, zooGraph(spec.name), spec.name);
  }
});

const V1 = `name: "tiny-v1"  # old syntax, as AgeNet's
input: "data"
input_dim: 10 input_dim: 3 input_dim: 17 input_dim: 17
layers { name: "conv1" type: CONVOLUTION bottom: "data" top: "conv1"
  convolution_param { num_output: 4 kernel_size: 3 stride: 2 } }
layers { name: "relu1" type: RELU bottom: "conv1" top: "conv1" }
layers { name: "pool1" type: POOLING bottom: "conv1" top: "pool1" pooling_param { pool: MAX kernel_size: 3 stride: 2 } }
layers { name: "fc" type: INNER_PRODUCT bottom: "pool1" top: "fc" inner_product_param { num_output: 3 } }
layers { name: "prob" type: SOFTMAX bottom: "fc" top: "prob" }
`;

const V2 = `name: "tiny-v2"
layer { name: "data" type: "Input" top: "data" input_param { shape: { dim: 1 dim: 8 dim: 6 dim: 6 } } }
layer { name: "bn" type: "BatchNorm" bottom: "data" top: "bn" batch_norm_param { use_global_stats: true } }
layer { name: "sc" type: "Scale" bottom: "bn" top: "bn" }
layer { name: "split" type: "Split" bottom: "bn" top: "a" top: "b" }
layer { name: "left" type: "Convolution" bottom: "a" top: "left" convolution_param { num_output: 2 kernel_size: 1 bias_term: false } }
layer { name: "right" type: "Pooling" bottom: "b" top: "right" pooling_param { pool: AVE global_pooling: true } }
layer { name: "rightconv" type: "Convolution" bottom: "right" top: "rightconv" convolution_param { num_output: 2 kernel_h: 1 kernel_w: 1 } }
layer { name: "relu" type: "ReLU" bottom: "left" top: "left" relu_param { negative_slope: 0.1 } }
layer { name: "gp" type: "Pooling" bottom: "left" top: "gp" pooling_param { pool: MAX global_pooling: true } }
layer { name: "cat" type: "Concat" bottom: "gp" bottom: "rightconv" top: "cat" }
`;

test("old and new prototxt syntax import with Caffe's shapes and names", () => {
  const v1 = importPrototxt(V1);
  assert.equal(v1.name, "tiny-v1");
  assert.deepEqual(v1.input.shape, [1, 3, 17, 17], "batch replaced by 1");
  assert.deepEqual(v1.nodes.map((n) => `${n.name}:${n.op}`), ["conv1:Conv", "relu1:Relu", "pool1:MaxPool", "fc#flatten:Flatten", "fc:Gemm", "prob:Softmax"]);
  // conv 17 -> 8 (floor), pool 8 -> 4 (ceil: (8-3)/2 = 2.5 -> 3, +1).
  assert.deepEqual(v1.tensors.get("pool1"), [1, 4, 4, 4]);
  assert.deepEqual(v1.output, { name: "prob", shape: [1, 3] });
  assert.deepEqual(importPrototxt(V1, { batch: 2 }).input.shape, [2, 3, 17, 17]);

  const v2 = importPrototxt(V2);
  const ops = Object.fromEntries(v2.nodes.map((n) => [n.name, n]));
  assert.equal(ops.sc!.inputs.length, 2, "Scale without bias_term has no bias (Caffe's default)");
  assert.equal(ops.left!.inputs.length, 2, "bias_term: false");
  assert.deepEqual(ops.left!.inputs[0], "sc", "Split tops read the split's bottom");
  assert.deepEqual(ops.right!.inputs[0], "sc");
  assert.equal(ops.relu!.op, "LeakyRelu");
  assert.deepEqual(v2.tensors.get("right"), [1, 8, 1, 1], "global pooling");
  assert.deepEqual(v2.output, { name: "cat", shape: [1, 4, 1, 1] });
});

test("prototxt errors are one line with file:line:col", () => {
  const cases: [string, RegExp][] = [
    [V1.replace("INNER_PRODUCT", "ELTWISE"), /^net\.prototxt:8:21: layer 'fc' has type ELTWISE, which the importer does not support/],
    [V1.replace('bottom: "pool1" top: "fc"', 'bottom: "pool9" top: "fc"'), /^net\.prototxt:8:41: layer 'fc' reads 'pool9', which no earlier layer produces/],
    [V1.replace("num_output: 4 ", ""), /^net\.prototxt:4:1: layer 'conv1' needs convolution_param\.num_output/],
    [V1.replace('top: "prob" }', 'top: "prob }'), /^net\.prototxt:9:55: unterminated string/],
    [V1 + "layers { name: \"x\"", /^net\.prototxt:10:\d+: expected '}', found end of file/],
    [V1.replace("kernel_size: 3 stride: 2 } }", "kernel_h: 3 kernel_w: 5 } }"), /only square kernels are supported/],
    ['layer { name: "c" type: "Convolution" bottom: "x" }', /^net\.prototxt: no 4-D input/],
  ];
  for (const [text, expected] of cases) {
    assert.throws(() => importPrototxt(text, { where: "net.prototxt" }), (e: unknown) => {
      assert.ok(e instanceof PrototxtError, String(e));
      assert.match(e.message, expected);
      assert.ok(!e.message.includes("\n"));
      return true;
    });
  }
  assert.equal(parsePrototxt("a: 1 b { c: 'x' }").message("b")!.first("c")!.value, "x");
});

test("mema import-caffe writes a model that onnxruntime runs", async () => {
  const dir = mkdtempSync(join(tmpdir(), "mema-import-"));
  try {
    const file = join(dir, "tiny.prototxt");
    writeFileSync(file, V2);
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (t: string) => void out.push(t), err: (t: string) => void err.push(t) };
    assert.equal(await main(["import-caffe", file], io), 0, err.join(""));
    assert.match(out.join(""), /wrote .*tiny\.onnx .*: 8 nodes, .* output cat 1x4x1x1/);
    const session = await createSession(join(dir, "tiny.onnx"));
    const y = (await session.run({ data: hostTensor("float32", new Float32Array(8 * 36).fill(0.5), [1, 8, 6, 6]) })).cat!;
    assert.deepEqual([...y.dims], [1, 4, 1, 1]);
    assert.ok((y.data as Float32Array).every(Number.isFinite));
    await session.release();

    writeFileSync(file, V1.replace("INNER_PRODUCT", "ELTWISE"));
    assert.equal(await main(["import-caffe", file], io), 1);
    assert.match(err.join(""), /tiny\.prototxt:8:21: layer 'fc' has type ELTWISE/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
