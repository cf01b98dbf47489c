// Weights kept resident across instances (runtime/schedule/residency.ts): a later instance adopts a kept
// session instead of loading, kept bytes stay in the ledger and are evicted when a step needs the room,
// furthest next use first; no run reads less than minReadBytes, and with ample memory every layer is read once.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { ArrivalSchedule } from "../../../runtime/schedule/arrivals.ts";
import { minReadBytes } from "../../../runtime/schedule/metrics.ts";
import { chainNetwork, networkFacts } from "../../../runtime/schedule/network.ts";
import { type Scenario, simulateRun } from "../../../runtime/schedule/simulate.ts";
import { policies } from "../../../stdlib/policies/index.ts";

const layer = (weightsBytes: number, loadMs = 4, execMs = 3) => ({ weightsBytes, activationBytes: 10, loadMs, execMs });
const networks = [
  chainNetwork("a", [layer(400), layer(300), layer(100)], { initMs: 1, inputBytes: 10 }),
  chainNetwork("b", [layer(200), layer(500)], { initMs: 1, inputBytes: 10 }),
];
const rounds = (n: number): ArrivalSchedule => ({ gated: true, absolute: false, arrivals: Array.from({ length: n }, () => ({ networks: [0, 1], gapMs: 0 })) });
const scenario = (n: number): Scenario => ({ pipeline: "keep", networks, arrivals: rounds(n) });
const weights = 400 + 300 + 100 + 200 + 500;

test("with ample memory, mema reads every layer once: later rounds adopt the kept sessions", () => {
  const { report, engine } = simulateRun(scenario(3), { policy: policies.mema, workers: 2, memoryBudgetBytes: null });
  const loads = report.steps.filter((s) => s.kind === "load");
  assert.equal(loads.filter((s) => s.resident).length, 10, "rounds 2 and 3: every load adopted");
  assert.ok(loads.filter((s) => s.resident).every((s) => s.instance > 0 && s.readBytes === 0 && s.endMs === s.startMs));
  assert.equal(report.readBytes, weights);
  assert.equal(report.minReadBytes, weights);
  assert.equal(engine.evictions.length, 0, "nothing kept past its last use: the last round's frees release");
  assert.equal(report.memory.at(-1)!.accountedBytes, 0, "nothing left in the ledger");
});

test("EdgeCaffe's policies reload every instance", () => {
  for (const name of ["partial", "linear", "masa"] as const) {
    const { report } = simulateRun(scenario(3), { policy: policies[name], workers: 2, memoryBudgetBytes: null });
    assert.equal(report.steps.filter((s) => s.resident).length, 0, name);
    assert.equal(report.readBytes, 3 * weights, name);
  }
});

test("under a budget kept sessions are evicted for room; the ledger holds, and no run reads less than the bound", () => {
  for (const budget of [700, 900, 1200, 1500]) {
    const { report, engine } = simulateRun(scenario(4), { policy: policies.mema, workers: 2, memoryBudgetBytes: budget });
    assert.ok(report.peakAccountedBytes <= budget, `${budget}: peak ${report.peakAccountedBytes}`);
    assert.ok(report.readBytes! >= report.minReadBytes!, `${budget}: read ${report.readBytes} < bound ${report.minReadBytes}`);
    if (budget >= 1000) assert.ok(report.readBytes! < 4 * weights, `${budget}: something was kept (read ${report.readBytes})`);
    if (budget < 4 * weights) assert.ok(engine.evictions.length > 0, `${budget}: evictions`);
  }
});

test("minReadBytes: every layer once with room for all; cyclic rounds under a budget re-read what cannot stay", () => {
  // Layers of 100 bytes; 10 to 20 bytes of activations live at each exec.
  const only = [networkFacts(chainNetwork("x", [layer(100), layer(100), layer(100), layer(100)]))];
  const three = [[0], [0], [0]];
  assert.equal(minReadBytes(only, three, null), 400);
  assert.equal(minReadBytes(only, three, 10_000), 400);
  // Room for three of four layers: each later round re-reads one layer's worth.
  assert.equal(minReadBytes(only, three, 320), 600);
  // Room for two: two layers' worth per later round.
  assert.equal(minReadBytes(only, three, 220), 800);
  // Less room than one layer: layers pass through in pieces, and 30 bytes can stay.
  assert.equal(minReadBytes(only, three, 50), 400 + 2 * 370);
  // A single use reads every layer once, whatever the budget.
  assert.equal(minReadBytes(only, [[0]], 50), 400);
});

test("the victim is the kept session needed furthest in the future", () => {
  // Budget for one round plus a little: round 2 needs room for b's 500-byte layer, and evicts what round 2
  // needs last (b's layers, then a's last), not a's first layers.
  const { report } = simulateRun(scenario(2), { policy: policies.mema, workers: 1, memoryBudgetBytes: 1100 });
  const adopted = report.steps.filter((s) => s.resident).map((s) => `${s.network}/${s.layer}`);
  assert.ok(adopted.includes("a/l0"), `a's first layer is kept for round 2 (adopted: ${adopted.join(", ")})`);
});

test("the plan counts a pinned layer once: pinning the largest layer shrinks the reserve, and the room it frees is pinned too", () => {
  // One network, a 500-byte layer and three of 60. With nothing pinned the reserve is the 500-byte layer
  // twice (running it, and loading it ahead): 1600 bytes leave room for it and one small layer. Pinned, it
  // streams no more, the reserve drops to a small layer's, and the other two small layers are pinned as well.
  const one = [chainNetwork("a", [layer(500), layer(60), layer(60), layer(60)], { initMs: 1, inputBytes: 10 })];
  const arrivals: ArrivalSchedule = { gated: true, absolute: false, arrivals: Array.from({ length: 3 }, () => ({ networks: [0], gapMs: 0 })) };
  const { engine, report } = simulateRun({ pipeline: "plan", networks: one, arrivals }, { policy: policies.mema, workers: 2, memoryBudgetBytes: 1600 });
  assert.deepEqual([...engine.residency.pinned].sort(), ["0/0", "0/1", "0/2", "0/3"]);
  assert.equal(report.readBytes, 680, "every layer read once");
  assert.ok(report.peakAccountedBytes <= 1600);
});
