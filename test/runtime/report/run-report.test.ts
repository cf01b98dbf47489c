// runReport: the one builder of RunReports (simulator, real runs, baseline loops): rounding, derived figures,
// what an interrupted run keeps, and the recorded fields passed through untouched.
import { test } from "node:test";
import assert from "node:assert/strict";
import { roundMs, type RunRecord, runReport } from "../../../runtime/report/run-report.ts";

const record = (over: Partial<RunRecord> = {}): RunRecord => ({
  pipeline: "p",
  policy: "baseline",
  baseline: "careful",
  memoryBudgetBytes: null,
  workers: 1,
  simulated: false,
  seed: 3,
  lowerBoundMs: 10.00049,
  peakAccountedBytes: 100,
  baselineRssBytes: 5,
  peakRssBytes: 9,
  lanes: 1,
  networks: [
    { name: "a", instance: 0, arrivalMs: 0, startMs: 1.23456, endMs: 20.0004, outputDigest: "d", top1: 2 },
    { name: "b", instance: 0, arrivalMs: 0, startMs: 20.0004, endMs: 30.1234567 },
  ],
  steps: [
    { network: "a", instance: 0, layer: "*", kind: "load", worker: 0, startMs: 1.23456, endMs: 2.0000004, bytes: 7, readBytes: 7 },
    { network: "b", instance: 0, layer: "*", kind: "exec", worker: 0, startMs: 25, endMs: Number.NaN, bytes: 1 },
  ],
  memory: [{ atMs: 0.0001234, accountedBytes: 0 }, { atMs: 1.5, accountedBytes: 7, rssBytes: 11 }],
  ...over,
});

test("roundMs keeps microseconds, and is idempotent", () => {
  assert.equal(roundMs(1.2345678), 1.235);
  assert.equal(roundMs(roundMs(0.1 + 0.2)), roundMs(0.1 + 0.2));
});

test("times rounded, makespan and response times derived, recorded fields (baseline, RSS, digests) kept", () => {
  const report = runReport(record());
  assert.equal(report.policy, "baseline");
  assert.equal(report.baseline, "careful");
  assert.equal(report.makespanMs, 30.123);
  assert.equal(report.lowerBoundMs, 10);
  assert.deepEqual(report.networks.map((n) => [n.startMs, n.endMs, n.waitMs, n.responseMs]), [[1.235, 20, 1.235, 20], [20, 30.123, 20, 30.123]]);
  assert.equal(report.meanResponseMs, roundMs((20.0004 + 30.1234567) / 2));
  assert.equal(report.p95ResponseMs, 30.123);
  assert.equal(report.networks[0]!.outputDigest, "d");
  assert.equal(report.networks[0]!.top1, 2);
  assert.deepEqual(report.steps[0], { network: "a", instance: 0, layer: "*", kind: "load", worker: 0, startMs: 1.235, endMs: 2, bytes: 7, readBytes: 7 });
  assert.deepEqual(report.memory, [{ atMs: 0, accountedBytes: 0 }, { atMs: 1.5, accountedBytes: 7, rssBytes: 11 }]);
  assert.equal(report.baselineRssBytes, 5);
  assert.equal(report.interrupted, undefined);
  assert.equal("stoppedAtMs" in report, false);
});

test("stopped: interrupted, only what ended, the makespan at the stop; no finished network, no response time", () => {
  const report = runReport(record({ stoppedAtMs: 26.00001, networks: [record().networks[0]!, { name: "b", instance: 0, arrivalMs: 0, startMs: 20, endMs: Number.NaN }] }));
  assert.equal(report.interrupted, true);
  assert.equal(report.makespanMs, 26);
  assert.deepEqual(report.networks.map((n) => n.name), ["a"]);
  assert.deepEqual(report.steps.map((s) => s.kind), ["load"]);
  assert.equal(report.meanResponseMs, 20);
  const none = runReport(record({ stoppedAtMs: 1, networks: [{ name: "b", instance: 0, arrivalMs: 0, startMs: 0, endMs: Number.NaN }] }));
  assert.ok(Number.isNaN(none.meanResponseMs) && Number.isNaN(none.p95ResponseMs));
});
