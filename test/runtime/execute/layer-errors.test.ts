// A step that fails in a session worker ends as one line naming the model, the layer and the operator
// (issue 9): an operator onnxruntime does not implement, a run that throws, a layer file it cannot load.
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { create } from "@bufbuild/protobuf";
import { OperatorSetIdProtoSchema } from "onnx-buf";
import { SessionPool } from "../../../runtime/host/workers.ts";
import { LayerRunError, layerRunError } from "../../../runtime/execute/layer-errors.ts";
import { int64s, model, node, tempFolder, tensorValue, useTempCache, weight, writeModel } from "../model/graph-builder.ts";
import { runCli } from "../../cli/run-cli.ts";

useTempCache();

/** fc1 -> MIDDLE -> fc2, every value's shape declared (so splitting never runs it: the workers meet MIDDLE first). */
function threeNodes(middle: ReturnType<typeof node>, extra: ReturnType<typeof weight>[] = [], domain?: string) {
  const proto = model({
    inputs: [tensorValue("x", [1, 4])],
    outputs: [tensorValue("z", [1, 4])],
    nodes: [node("Gemm", ["x", "w1"], ["y"], {}, "fc1"), middle, node("Gemm", ["y2", "w2"], ["z"], {}, "fc2")],
    initializers: [weight("w1", [4, 4]), ...extra, weight("w2", [4, 4])],
    valueInfo: [tensorValue("y", [1, 4]), tensorValue("y2", [1, 4])],
  });
  if (domain) proto.opsetImport.push(create(OperatorSetIdProtoSchema, { domain, version: 1n }));
  return proto;
}

/** `mema run` on a one-model scenario: exit 1 and one line on stderr, no stack. */
async function runModel(name: string, proto: ReturnType<typeof model>): Promise<string> {
  const path = writeModel(name, proto);
  const scenario = join(tempFolder(), `${name}.mema`);
  writeFileSync(scenario, `pipeline p <\n  model ${name} from "${path}";\n  memory 512MB;\n  policy linear;\n  workers 1;\n>\n`);
  const r = await runCli(["run", scenario, "--quiet"]);
  assert.equal(r.code, 1, r.err);
  assert.equal(r.out, "");
  assert.equal(r.err.trim().split("\n").length, 1, r.err);
  assert.doesNotMatch(r.err, /^\s+at\s/m);
  return r.err.trim();
}

test("an operator onnxruntime does not implement: the model, layer and operator in one line", async () => {
  const err = await runModel("frob", threeNodes(node("FrobnicateOp", ["y"], ["y2"], {}, "frob")));
  assert.match(err, /^mema run: error\[E_UNSUPPORTED_OP\]: model 'frob' \(.*frob\.onnx\), layer 'fc1': onnxruntime does not implement operator 'FrobnicateOp' \(node 'frob'\): No Op registered for FrobnicateOp/);
});

test("an operator of a custom domain: named with its domain", async () => {
  const custom = Object.assign(node("FrobnicateOp", ["y"], ["y2"], {}, "frob"), { domain: "com.example" });
  const err = await runModel("frobd", threeNodes(custom, [], "com.example"));
  assert.match(err, /^mema run: error\[E_UNSUPPORTED_OP\]: model 'frobd' \(.*\), layer 'fc1': onnxruntime does not implement operator 'com\.example:FrobnicateOp'/);
});

test("a run that throws: the layer, the operator and node, onnxruntime's reason", async () => {
  const gather = node("Gather", ["y", "idx"], ["y2"], { axis: 1 }, "pick");
  const err = await runModel("gather", threeNodes(gather, [int64s("idx", [0, 1, 2, 9])]));
  assert.match(err, /^mema run: error\[E_LAYER_RUN\]: model 'gather' \(.*\), layer 'fc1': the run failed in operator 'Gather' \(node 'pick'\): indices element out of data bounds/);
});

test("a layer file onnxruntime cannot load: the file named", async () => {
  const bad = join(tempFolder(), "garbage.onnx");
  writeFileSync(bad, "not a model at all");
  const pool = await SessionPool.open(1);
  try {
    const error = await pool.load(0, "s", bad).then(() => undefined, (e: unknown) => e);
    const wrapped = layerRunError(error, "load", { name: "m", path: "/models/m.onnx" }, "conv1");
    assert.ok(wrapped instanceof LayerRunError);
    assert.equal(wrapped.code, "E_LAYER_LOAD");
    assert.match(wrapped.message, new RegExp(`^model 'm' \\(/models/m\\.onnx\\), layer 'conv1': onnxruntime cannot load '${bad.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}': .*`));
    assert.equal(wrapped.message.split("\n").length, 1);
    // The pool still works after a failed request.
    const missing = await pool.load(0, "t", join(tempFolder(), "missing.onnx")).then(() => undefined, (e: unknown) => e);
    assert.match((layerRunError(missing, "load", { name: "m", path: "m.onnx" }, "fc") as Error).message, /layer 'fc': onnxruntime cannot load '.*missing\.onnx'/);
  } finally {
    await pool.close();
  }
  // Not a worker's failure (a bug): passed through untouched, so its stack still shows.
  const bug = new TypeError("a bug");
  assert.equal(layerRunError(bug, "exec", { name: "m", path: "m.onnx" }, "fc"), bug);
});
