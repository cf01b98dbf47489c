// The library: `run(document)` compiles a pipeline (text or YAML), runs it for real or simulated, returns reports.
import { test } from "node:test";
import assert from "node:assert/strict";
import { run, RunDocumentError, SchedulingError } from "../../../index.ts";
import { CLS, DET } from "../host/ocr-models.ts";

const pipeline = `pipeline ocr {
  model cls from ${JSON.stringify(CLS.path)} { shapes: { x: [1, 3, 48, 192] }, seed: 4 };
  model det from ${JSON.stringify(DET.path)} { shapes: { x: [1, 3, 160, 160] } };
  memory unlimited;
  policy [mema, linear];
  workers 2;
  arrivals batch 1;
  session { intraOpNumThreads: 1 };
}`;

test("run(text) executes every sweep point for real, with the baseline first when asked", async () => {
  const reports = await run(pipeline, { baseline: true });
  assert.deepEqual(reports.map((r) => r.policy), ["baseline", "mema", "linear"]);
  for (const report of reports) {
    assert.equal(report.simulated, false);
    assert.equal(report.pipeline, "ocr");
    assert.deepEqual(report.networks.map((n) => n.name).sort(), ["cls", "det"]);
  }
  const digests = reports.map((r) => r.networks.map((n) => `${n.name}:${n.outputDigest}`).sort().join(" "));
  assert.equal(new Set(digests).size, 1, "same answers from the baseline and both policies");
});

test("run(yaml, { simulate }) simulates; mistakes in the document are thrown with their location", async () => {
  const yaml = `pipelines:\n  - name: faces\n    models: [agenet, gendernet]\n    memory: 512MB\n    policy: mema\n    workers: 2\n    arrivals: { kind: batch, rounds: 2 }\n`;
  const [report] = await run(yaml, { format: "yaml", simulate: true });
  assert.equal(report!.simulated, true);
  assert.equal(report!.networks.length, 4);
  await assert.rejects(run("pipeline { model agenet; polcy mema; }"), /pipeline\.mema:1:26: error\[E_UNKNOWN_STATEMENT\]/);
});

test("under a small budget the largest layers run as tiles, and the answers stay those of the whole model", async () => {
  // AgeNet (44 MiB of weights; fc6 alone 27 MiB) under 12 MB: fc6 must be cut into tiles.
  const [baseline, tiled] = await run("pipeline z { model agenet; memory 12MB; policy linear; workers 2; arrivals batch 1; }", { baseline: true });
  assert.equal(tiled!.memoryBudgetBytes, 12e6);
  assert.ok(tiled!.steps.some((s) => /^fc6#\d+\/\d+$/.test(s.layer)), "fc6 ran as tiles");
  assert.ok(tiled!.peakAccountedBytes <= 12e6);
  assert.equal(tiled!.networks[0]!.outputDigest, baseline!.networks[0]!.outputDigest);
  assert.equal(tiled!.networks[0]!.top1, baseline!.networks[0]!.top1);
});

test("what run refuses carries its code: a document that does not compile, a missing pipeline, an unknown policy", async () => {
  await assert.rejects(run("pipeline { model agenet; polcy mema; }", { simulate: true }), (error: unknown) => {
    assert.ok(error instanceof RunDocumentError);
    assert.equal(error.code, "E_UNKNOWN_STATEMENT");
    assert.deepEqual(error.diagnostics.map((d) => [d.code, d.line, d.column]), [["E_UNKNOWN_STATEMENT", 1, 26]]);
    return true;
  });
  await assert.rejects(run("pipeline a { model agenet; }", { simulate: true, pipeline: "b" }), (error: unknown) => {
    assert.ok(error instanceof RunDocumentError);
    assert.equal(error.code, "E_PIPELINE");
    assert.equal(error.message, "no pipeline 'b' (it has: a)");
    return true;
  });
  const runs = [{ policy: "fastest", memoryBytes: null, workers: 1 }];
  await assert.rejects(run("pipeline a { model agenet; }", { simulate: true, runs }), (error: unknown) => {
    assert.ok(error instanceof SchedulingError);
    assert.equal(error.code, "E_POLICY");
    assert.equal(error.message, "unknown policy 'fastest'");
    return true;
  });
  await assert.rejects(run(pipeline, { runs }), (error: unknown) => error instanceof SchedulingError && error.code === "E_POLICY");
});
