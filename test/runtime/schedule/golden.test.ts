// Golden step orders: each EdgeCaffe policy on tiny hand-made graphs gives the order the reference implies
// (../shared/reference/edgecaffe.md §2-§3). Every step takes 1 ms, so the times spell out the order.
import { test } from "node:test";
import assert from "node:assert/strict";
import { chainNetwork, type NetworkSpec } from "../../../runtime/schedule/network.ts";
import { simulate } from "../../../runtime/schedule/simulate.ts";
import type { Admission } from "../../../runtime/schedule/policy.ts";
import { policies } from "../../../stdlib/policies/index.ts";
import type { PolicyName } from "../../../stdlib/names.ts";

const unit = { weightsBytes: 100, activationBytes: 10, loadMs: 1, execMs: 1 };
const net = (name: string, layers: number, options: Partial<NetworkSpec> = {}) =>
  chainNetwork(name, Array.from({ length: layers }, () => ({ ...unit })), { inputBytes: 5, initMs: 1, ...options });

/** "start lane kind network/layer" per step (frees left out), in start order. */
function trace(policy: PolicyName, networks: NetworkSpec[], workers = 2, budget: number | null = null, admission: Admission = "ledger"): string[] {
  const report = simulate(
    { pipeline: "golden", networks, arrivals: { gated: true, absolute: false, arrivals: [{ networks: networks.map((_, i) => i), gapMs: 0 }] } },
    { policy: policies[policy], workers, memoryBudgetBytes: budget, admission },
  );
  return report.steps.filter((s) => s.kind !== "free").map((s) => `${s.startMs} w${s.worker} ${s.kind} ${s.network}${s.layer === "" ? "" : "/" + s.layer}`);
}

test("linear: one worker, init-load-exec strictly alternating, networks chained", () => {
  assert.deepEqual(trace("linear", [net("A", 2), net("B", 2)]), [
    "0 w0 init A", "1 w0 load A/l0", "2 w0 exec A/l0", "3 w0 load A/l1", "4 w0 exec A/l1",
    "5 w0 init B", "6 w0 load B/l0", "7 w0 exec B/l0", "8 w0 load B/l1", "9 w0 exec B/l1",
  ]);
});

test("linear: the chain spans arrivals (a later arrival's init waits for the previous network's last exec)", () => {
  const report = simulate(
    { pipeline: "golden", networks: [net("A", 2), net("B", 1)], arrivals: { gated: false, absolute: false, arrivals: [{ networks: [0], gapMs: 0 }, { networks: [1], gapMs: 1 }] } },
    { policy: policies.linear, workers: 1, memoryBudgetBytes: null },
  );
  const b = report.networks.find((n) => n.name === "B")!;
  assert.equal(b.arrivalMs, 1);
  assert.equal(b.startMs, 5, "B's init waits for A's exec of l1 (4..5)");
  assert.equal(b.waitMs, 4);
});

test("batch gate: ours waits for the round to finish; EdgeCaffe's opens when no started network is active (quirk 7)", () => {
  const run = (admission: Admission) =>
    simulate(
      { pipeline: "golden", networks: [net("A", 2), net("B", 2)], arrivals: { gated: true, absolute: false, arrivals: [{ networks: [0, 1], gapMs: 0 }, { networks: [0, 1], gapMs: 0 }] } },
      { policy: policies.bulk, workers: 1, memoryBudgetBytes: null, admission },
    ).networks.filter((n) => n.instance === 1).map((n) => n.arrivalMs);
  // Round 1: A 0..5, then B 5..10 (chained). At 5, A has finished and B's init has not started yet.
  assert.deepEqual(run("ledger"), [10, 10]);
  assert.deepEqual(run("edgecaffe"), [5, 5]);
});

test("bulk: one worker even when asked for two, whole-model load then forward, networks chained", () => {
  assert.deepEqual(trace("bulk", [net("A", 2), net("B", 2)], 2), [
    "0 w0 init A", "1 w0 load A/*", "3 w0 exec A/*", "5 w0 init B", "6 w0 load B/*", "8 w0 exec B/*",
  ]);
});

test("multi-bulk: the bulk graph without the chain, networks overlap on the workers", () => {
  assert.deepEqual(trace("multi-bulk", [net("A", 2), net("B", 2)], 2), [
    "0 w0 init A", "0 w1 init B", "1 w0 load A/*", "1 w1 load B/*", "3 w0 exec A/*", "3 w1 exec B/*",
  ]);
});

test("partial: loads run ahead after init, exec i after exec i-1 and load i, lowest task id first", () => {
  // Task ids: A: I0 L1 E2 L3 E4; B: I5 L6 E7 L8 E9.
  assert.deepEqual(trace("partial", [net("A", 2), net("B", 2)], 2), [
    "0 w0 init A", "0 w1 init B",
    "1 w0 load A/l0", "1 w1 load A/l1",
    "2 w0 exec A/l0", "2 w1 load B/l0",
    "3 w0 exec A/l1", "3 w1 exec B/l0",
    "4 w0 load B/l1",
    "5 w0 exec B/l1",
  ]);
});

test("deepeye: worker 0 runs inits and conv layers, worker 1 fc layers; conv execs wait for the arrival's conv loads", () => {
  const networks = [net("A", 2, { convLayers: 1 }), net("B", 2, { convLayers: 1 })];
  assert.deepEqual(trace("deepeye", networks), [
    "0 w0 init A",
    "1 w0 load A/l0", "1 w1 load A/l1",
    "2 w0 init B", // I(B) waits for A's last conv load
    "3 w0 load B/l0", "3 w1 load B/l1", // B's fc load waits for A's last fc load
    "4 w0 exec A/l0", // E_0(A) waits for the last network's last conv load
    "5 w1 exec A/l1", "5 w0 exec B/l0", // same start: listed by task id
    "6 w1 exec B/l1",
  ]);
});

test("deepeye-frugal: a network's fc loads also wait for the previous network's last fc exec", () => {
  const networks = [net("A", 2, { convLayers: 1 }), net("B", 2, { convLayers: 1 })];
  assert.deepEqual(trace("deepeye-frugal", networks), [
    "0 w0 init A",
    "1 w0 load A/l0", "1 w1 load A/l1",
    "2 w0 init B",
    "3 w0 load B/l0",
    "4 w0 exec A/l0",
    "5 w1 exec A/l1", "5 w0 exec B/l0",
    "6 w1 load B/l1",
    "7 w1 exec B/l1",
  ]);
});

test("deepeye: a network without fc layers is skipped by the fc links; the next fc loads wait for the last network that has them", () => {
  const networks = [net("A", 2, { convLayers: 1 }), net("T", 1), net("B", 2, { convLayers: 1 })];
  assert.deepEqual(trace("deepeye", networks), [
    "0 w0 init A",
    "1 w0 load A/l0", "1 w1 load A/l1",
    "2 w0 init T", // waits for A's last conv load
    "3 w0 load T/l0",
    "4 w0 init B", // waits for T's last conv load
    "5 w0 load B/l0", "5 w1 load B/l1", // B's fc load waits for A's (T has none)
    "6 w0 exec A/l0", // the first conv exec waits for the arrival's last conv load (B's)
    "7 w1 exec A/l1", "7 w0 exec T/l0", // T's conv exec after A's last conv exec
    "8 w0 exec B/l0",
    "9 w1 exec B/l1",
  ]);
});

test("masa: shortest network first (mean-execution-time), loads before inits at equal key, execs before loads", () => {
  const networks = [net("A", 2, { meanExecMs: 100 }), net("B", 2, { meanExecMs: 50 })];
  assert.deepEqual(trace("masa", networks, 1), [
    "0 w0 init B", "1 w0 load B/l0", "2 w0 exec B/l0", "3 w0 load B/l1", "4 w0 exec B/l1",
    "5 w0 init A", "6 w0 load A/l0", "7 w0 exec A/l0", "8 w0 load A/l1", "9 w0 exec A/l1",
  ]);
});

test("masa, EdgeCaffe admission: a blocked INIT waits until the active network finishes; a lone one is admitted over budget", () => {
  const MB = 1 << 20;
  const networks = [net("A", 1, { meanExecMs: 100, declaredPeakBytes: 40 * MB }), net("B", 1, { meanExecMs: 50, declaredPeakBytes: 40 * MB })];
  // 64 MiB - 4.87 MiB base leaves room for one 40 MiB network at a time.
  assert.deepEqual(trace("masa", networks, 2, 64 * MB, "edgecaffe"), [
    "0 w0 init B", "1 w0 load B/l0", "2 w0 exec B/l0", "3 w0 init A", "4 w0 load A/l0", "5 w0 exec A/l0",
  ]);
  // Quirk 1: with no network active, an INIT passes whatever it declares.
  const huge = [net("A", 1, { declaredPeakBytes: 1000 * MB })];
  assert.deepEqual(trace("masa", huge, 1, 64 * MB, "edgecaffe"), ["0 w0 init A", "1 w0 load A/l0", "2 w0 exec A/l0"]);
});

test("execprio-inter: execprio with the networks chained", () => {
  assert.deepEqual(trace("execprio-inter", [net("A", 2), net("B", 1)], 2), [
    "0 w0 init A",
    "1 w0 load A/l0", "1 w1 load A/l1",
    "2 w0 exec A/l0",
    "3 w0 exec A/l1",
    "4 w0 init B",
    "5 w0 load B/l0",
    "6 w0 exec B/l0",
  ]);
});
