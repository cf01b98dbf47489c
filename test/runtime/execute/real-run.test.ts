// Real runs on onnxruntime: every policy and budget gives the whole model's answer bit for bit, with measured
// times and RSS in the report; Ctrl-C (abort) stops with a partial report and nothing left loaded.
import { test } from "node:test";
import assert from "node:assert/strict";
import { runRealScenario } from "../../../runtime/execute/real-run.ts";
import { SessionPool } from "../../../runtime/host/workers.ts";
import { renderSummary } from "../../../runtime/report/summary.ts";
import { defaultSessionSettings } from "../../../runtime/execute/session-options.ts";
import { policyByName } from "../../../stdlib/policies/index.ts";
import { ocrNetworks, ocrScenario, runBaseline } from "./ocr-scenario.ts";

const networks = await ocrNetworks();
const session = defaultSessionSettings(2);
const weightsBytes = networks.reduce((n, net) => n + net.model.weightsBytes, 0);

test("every policy and budget answers exactly what the whole model answers", async () => {
  const scenario = ocrScenario(networks);
  const baseline = await runBaseline("ocr", networks, scenario.arrivals, { session });
  assert.equal(baseline.networks.length, 4);
  const expected = new Map(baseline.networks.map((n) => [n.name, n.outputDigest]));
  assert.equal(new Set(expected.values()).size, 2, "two networks, two different answers");
  // Half the weights, plus room for det's largest exec (its workspace: intermediates, im2col, output copies).
  const tight = Math.round(weightsBytes / 2) + 2 * 1024 * 1024;
  for (const [policy, budget] of [
    ["mema", null],
    ["mema", tight],
    ["partial", null],
    ["linear", tight],
    ["bulk", null],
  ] as const) {
    const report = await runRealScenario(scenario, { policy: policyByName(policy)!, workers: 2, memoryBudgetBytes: budget, session });
    const where = `${policy} at ${budget ?? "no"} budget`;
    assert.equal(report.simulated, false);
    assert.equal(report.networks.length, 4, where);
    for (const n of report.networks) assert.equal(n.outputDigest, expected.get(n.name), `${where}: ${n.name}#${n.instance}`);
    assert.equal(report.networks.find((n) => n.name === "cls")!.top1, baseline.networks.find((n) => n.name === "cls")!.top1);
    assert.equal(report.networks.find((n) => n.name === "det")!.top1, undefined, "det is not a classifier");
    if (budget !== null) assert.ok(report.peakAccountedBytes <= budget, `${where}: ledger within the budget`);
    // Measured, not simulated: real durations, real RSS.
    assert.ok(report.baselineRssBytes! > 0 && report.peakRssBytes! >= report.baselineRssBytes!, where);
    const rss = report.memory.filter((m) => m.rssBytes !== undefined);
    assert.ok(rss.length >= 5, `${where}: ${rss.length} RSS samples`);
    const lanes = report.lanes ?? 2;
    for (const step of report.steps) {
      assert.ok(step.endMs >= step.startMs && step.startMs >= 0, `${where}: ${step.kind} ${step.layer} times`);
      assert.ok(step.worker >= 0 && step.worker < lanes, `${where}: worker ${step.worker}`);
    }
    const execs = report.steps.filter((s) => s.kind === "exec");
    assert.ok(execs.some((s) => s.endMs - s.startMs > 0), where);
    assert.ok(report.makespanMs >= report.lowerBoundMs * 0.999, `${where}: makespan ${report.makespanMs} vs bound ${report.lowerBoundMs}`);
  }
});

test("an aborted run stops launching steps, releases its sessions and returns a partial report", async () => {
  const scenario = ocrScenario(networks, 3);
  const controller = new AbortController();
  let seen = 0;
  const report = await runRealScenario(scenario, {
    policy: policyByName("mema")!,
    workers: 2,
    memoryBudgetBytes: null,
    session,
    signal: controller.signal,
    onProgress: (p) => {
      seen = p.stepsTotal;
      if (p.stepsDone >= 20) controller.abort();
    },
  });
  assert.equal(report.interrupted, true);
  assert.ok(report.steps.length < seen, `${report.steps.length} of ${seen} steps ran`);
  assert.ok(report.networks.length < 6);
  for (const step of report.steps) assert.ok(Number.isFinite(step.endMs));
});

test("a session a worker does not release is a warning in the report; the answers stand", async () => {
  const scenario = ocrScenario(networks, 1);
  const pool = await SessionPool.open(2);
  try {
    // The same pool, but the run's first two frees (after the warm-up's) are refused, as by a worker whose
    // onnxruntime release failed.
    let frees = 0;
    const refusing = Object.create(pool) as SessionPool;
    refusing.free = (index, key, drop) => (key !== "warm-up" && frees++ < 2 ? Promise.reject(new Error("release failed")) : pool.free(index, key, drop));
    // The clean run first: sessions the refusing run leaves loaded would clash with its session keys.
    const clean = await runRealScenario(scenario, { policy: policyByName("linear")!, workers: 2, memoryBudgetBytes: null, session, pool });
    const report = await runRealScenario(scenario, { policy: policyByName("linear")!, workers: 2, memoryBudgetBytes: null, session, pool: refusing });
    assert.equal(frees, report.steps.filter((s) => s.kind === "free").length, "every free step went to the pool");
    assert.deepEqual(report.networks.map((n) => n.outputDigest), clean.networks.map((n) => n.outputDigest));
    assert.equal(report.warnings?.length, 2);
    assert.match(report.warnings![0]!, /^the session of (cls|det)\/\S+ on worker \d was not released \(release failed\): the ledger counts its bytes as freed, the worker may still hold them$/);
    assert.equal(clean.warnings, undefined);
    assert.match(renderSummary(report), /\n  warning +the session of /);
  } finally {
    await pool.close();
  }
});
