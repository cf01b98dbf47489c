// Properties over thousands of seeded random scenarios (networks, budgets, policies, workers, arrivals):
// every step runs exactly once, no edge is violated, an exec never runs before its weights are loaded, the
// ledger never passes the budget, lanes never overlap, the makespan is at least the lower bound, and a
// second run gives the same report.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { ArrivalSchedule } from "../../../runtime/schedule/arrivals.ts";
import { SchedulingError } from "../../../runtime/schedule/engine.ts";
import type { NetworkSpec } from "../../../runtime/schedule/network.ts";
import type { Admission } from "../../../runtime/schedule/policy.ts";
import { SeededRandom } from "../../../runtime/schedule/random.ts";
import { type Scenario, simulate, simulateRun } from "../../../runtime/schedule/simulate.ts";
import { POLICIES } from "../../../stdlib/names.ts";
import { policies } from "../../../stdlib/policies/index.ts";

const SCENARIOS = Number(process.env.MEMA_SCENARIOS ?? 2500);

function randomNetwork(r: SeededRandom, name: string): NetworkSpec {
  const n = 1 + r.int(7);
  const layers = Array.from({ length: n }, (_, i) => {
    const inputs = [i - 1];
    if (i > 1 && r.next() < 0.3) inputs.push(r.int(i - 1) - (r.next() < 0.2 ? 1 : 0)); // a skip edge, sometimes from the input
    return {
      name: `l${i}`,
      weightsBytes: 1000 * r.int(50),
      activationBytes: 1000 * r.int(10),
      inputs: [...new Set(inputs)].sort((a, b) => a - b),
      loadMs: r.int(4) === 0 ? 0 : r.int(40) / 2,
      execMs: r.int(4) === 0 ? 0 : r.int(40) / 2,
      heavy: "memory" as const,
    };
  });
  return { name, layers, inputBytes: 1000 * r.int(5), initMs: r.int(3), convLayers: 1 + r.int(n), meanExecMs: r.int(5) * 10 };
}

function randomScenario(r: SeededRandom, seed: number): { scenario: Scenario; policy: (typeof POLICIES)[number]; workers: number; budget: number | null; admission: Admission } {
  const networks = Array.from({ length: 1 + r.int(3) }, (_, i) => randomNetwork(r, `n${i}`));
  const gated = r.next() < 0.5;
  const arrivals: ArrivalSchedule = {
    gated,
    absolute: false,
    arrivals: Array.from({ length: 1 + r.int(4) }, () => ({ networks: Array.from({ length: 1 + r.int(3) }, () => r.int(networks.length)), gapMs: r.int(4) === 0 ? 0 : r.int(60) })),
  };
  const policy = POLICIES[r.int(POLICIES.length)]!;
  const biggest = Math.max(...networks.map((n) => n.inputBytes + n.layers.reduce((a, l) => a + l.weightsBytes + l.activationBytes, 0)));
  const budget = r.next() < 0.15 ? null : Math.round(biggest * (0.3 + 2 * r.next()));
  return { scenario: { pipeline: `random-${seed}`, networks, arrivals }, policy, workers: 1 + r.int(3), budget, admission: r.next() < 0.15 ? "edgecaffe" : "ledger" };
}

test(`${SCENARIOS} random scenarios keep every invariant`, () => {
  let ran = 0;
  let refused = 0;
  for (let seed = 0; seed < SCENARIOS; seed++) {
    const r = new SeededRandom(seed);
    const { scenario, policy, workers, budget, admission } = randomScenario(r, seed);
    const options = { policy: policies[policy], workers, memoryBudgetBytes: budget, admission, seed };
    const where = `seed ${seed} (${policy}, ${workers} workers, budget ${budget}, ${admission})`;
    let run;
    try {
      run = simulateRun(scenario, options);
    } catch (error) {
      assert.ok(error instanceof SchedulingError && error.code === "E_TOO_BIG", `${where}: ${(error as Error).message}`);
      assert.match(error.message, /^network n\d, .* needs \d+ bytes/, where);
      refused++;
      continue;
    }
    ran++;
    const { report, engine, prepared } = run;
    const { graph } = prepared;
    // Every step once, for its duration.
    for (const step of graph.steps) {
      const start = engine.startMs[step.id]!;
      const end = engine.endMs[step.id]!;
      assert.ok(Number.isFinite(start) && Number.isFinite(end), `${where}: step ${step.id} never ran`);
      const duration = step.kind === "free" || engine.adopted(step.id) ? 0 : step.durationMs;
      assert.ok(Math.abs(end - start - duration) < 1e-9, `${where}: step ${step.id} duration`);
      for (const d of step.deps) assert.ok(start >= engine.endMs[d]!, `${where}: step ${step.id} started before its dependency ${d} ended`);
    }
    assert.equal(report.steps.length, graph.steps.length, where);
    // An exec runs only once its weights are in and its network was initialised (DeepEye included).
    for (const inst of graph.instances) {
      const init = engine.endMs[inst.initStep]!;
      for (const s of inst.steps) {
        const step = graph.steps[s]!;
        if (step.kind !== "exec") continue;
        assert.ok(engine.startMs[s]! >= init, `${where}: exec before init`);
        const load = inst.steps.find((l) => graph.steps[l]!.kind === "load" && graph.steps[l]!.layer === step.layer)!;
        assert.ok(engine.startMs[s]! >= engine.endMs[load]!, `${where}: exec of ${step.layerName} before its load ended`);
      }
    }
    // Lanes never overlap.
    const byLane = new Map<number, number[]>();
    for (const step of graph.steps) if (step.kind !== "free") (byLane.get(engine.lane[step.id]!) ?? byLane.set(engine.lane[step.id]!, []).get(engine.lane[step.id]!)!).push(step.id);
    for (const [lane, ids] of byLane) {
      assert.ok(lane >= 0 && lane < engine.lanes.length, `${where}: lane ${lane}`);
      ids.sort((a, b) => engine.startMs[a]! - engine.startMs[b]! || engine.endMs[a]! - engine.endMs[b]!);
      for (let i = 1; i < ids.length; i++) assert.ok(engine.startMs[ids[i]!]! >= engine.endMs[ids[i - 1]!]!, `${where}: lane ${lane} overlaps`);
    }
    // The ledger, replayed from the steps alone: releases at a time before reservations at that time. A
    // load adopting a kept session adds nothing; a free keeping its session holds the load's bytes on,
    // until an eviction or the free of an instance that adopted it gives them back.
    if (admission === "ledger" && budget !== null) {
      const events: [number, number, number][] = [];
      for (const step of graph.steps) {
        if (!engine.adopted(step.id)) events.push([engine.startMs[step.id]!, 1, step.reserveBytes]);
        for (const rel of step.releases) {
          if (engine.kept(step.id) && graph.steps[rel.stepId]!.kind === "load") continue;
          events.push([engine.endMs[step.id]!, 0, -rel.bytes]);
        }
      }
      for (const e of engine.evictions) events.push([e.atMs, 0, -e.bytes]);
      events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
      let level = 0;
      for (const [, , bytes] of events) {
        level += bytes;
        assert.ok(level <= budget, `${where}: ${level} bytes held, budget ${budget}`);
      }
      assert.equal(level, 0, `${where}: bytes left at the end`);
      assert.ok(report.peakAccountedBytes <= budget, where);
    }
    // Arrivals, starts and ends in order; batch rounds wait for the previous round.
    for (const n of report.networks) assert.ok(n.arrivalMs <= n.startMs && n.startMs <= n.endMs, where);
    if (scenario.arrivals.gated && admission === "ledger") {
      for (let a = 1; a < graph.arrivals.length; a++) {
        const prevEnd = Math.max(...graph.arrivals[a - 1]!.map((i) => engine.instanceEndMs[i]!));
        for (const i of graph.arrivals[a]!) assert.ok(engine.arrivalMs[i]! >= prevEnd, `${where}: round ${a} admitted early`);
      }
    }
    assert.ok(report.makespanMs >= report.lowerBoundMs - 1e-6, `${where}: makespan ${report.makespanMs} < bound ${report.lowerBoundMs}`);
    if (seed % 10 === 0) assert.equal(JSON.stringify(simulate(scenario, options)), JSON.stringify(report), `${where}: not deterministic`);
  }
  assert.ok(ran > SCENARIOS * 0.7, `only ${ran} of ${SCENARIOS} ran (${refused} refused)`);
});
