// The engine driven by an asynchronous backend (the real executor is one: runtime/execute/real-run.ts): every step once, on real
// timers, within the budget, and the same step order as the simulator when durations are the same.
import { test } from "node:test";
import assert from "node:assert/strict";
import { drive, runWithBackend, type StepBackend } from "../../../runtime/schedule/drive.ts";
import { chainNetwork } from "../../../runtime/schedule/network.ts";
import { type Scenario, simulate } from "../../../runtime/schedule/simulate.ts";
import { policies } from "../../../stdlib/policies/index.ts";

const layer = (w: number, loadMs: number, execMs: number) => ({ weightsBytes: w, activationBytes: 10, loadMs, execMs });
const scenario: Scenario = {
  pipeline: "async",
  networks: [
    chainNetwork("a", [layer(400, 4, 2), layer(300, 2, 6), layer(100, 2, 2)], { initMs: 1, inputBytes: 10 }),
    chainNetwork("b", [layer(200, 2, 8), layer(500, 6, 2)], { initMs: 1, inputBytes: 10 }),
  ],
  arrivals: { gated: false, absolute: false, arrivals: [{ networks: [0, 1], gapMs: 0 }, { networks: [1], gapMs: 15 }, { networks: [0], gapMs: 5 }] },
};

/** A backend on a virtual clock: steps end after their durations, in end order. */
function virtualBackend(): StepBackend & { frees: number } {
  let now = 0;
  const pending: { endMs: number; id: number; resolve: () => void }[] = [];
  const advance = () => {
    // Let every started step register before time moves on.
    setTimeout(() => {
      pending.sort((x, y) => x.endMs - y.endMs || x.id - y.id);
      const next = pending.shift();
      if (!next) return;
      now = next.endMs;
      next.resolve();
    }, 0);
  };
  const backend = {
    frees: 0,
    now: () => now,
    run(launch: { step: { id: number; durationMs: number }; session?: { adopted: boolean } }) {
      const startMs = now;
      // As the simulator: a load adopting a kept session takes no time.
      const endMs = now + (launch.session?.adopted ? 0 : launch.step.durationMs);
      return new Promise<{ startMs: number; endMs: number }>((resolve) => {
        pending.push({ endMs, id: launch.step.id, resolve: () => resolve({ startMs, endMs }) });
        advance();
      });
    },
    free() {
      backend.frees++;
    },
    sleepUntil(atMs: number) {
      return new Promise<void>((resolve) => {
        pending.push({ endMs: atMs, id: Infinity, resolve });
        advance();
      });
    },
  };
  return backend as StepBackend & { frees: number };
}

test("an asynchronous virtual-clock backend gives the simulator's schedule", async () => {
  for (const policy of ["mema", "partial", "masa", "deepeye", "linear"] as const) {
    const options = { policy: policies[policy], workers: 2, memoryBudgetBytes: 2000 };
    const backend = virtualBackend();
    const real = await runWithBackend(scenario, options, backend);
    const sim = simulate(scenario, options);
    assert.equal(real.simulated, false);
    const order = (r: typeof sim) => r.steps.filter((s) => s.kind !== "free").map((s) => `${s.kind} ${s.network}${s.instance}/${s.layer}@${s.startMs}`);
    assert.deepEqual(order(real), order(sim), policy);
    assert.equal(real.makespanMs, sim.makespanMs, policy);
    assert.equal(backend.frees, sim.steps.filter((s) => s.kind === "free").length, `${policy}: every free performed`);
  }
});

test("real timers: every step runs once, the budget holds", async () => {
  const t0 = performance.now();
  const backend: StepBackend = {
    now: () => performance.now() - t0,
    run: ({ step }) =>
      new Promise((resolve) => {
        const startMs = performance.now() - t0;
        setTimeout(() => resolve({ startMs, endMs: performance.now() - t0 }), step.durationMs / 4);
      }),
    free: () => {},
    sleepUntil: (atMs) => new Promise((resolve) => setTimeout(resolve, Math.max(0, atMs - (performance.now() - t0)))),
  };
  const report = await runWithBackend(scenario, { policy: policies.mema, workers: 2, memoryBudgetBytes: 1200 }, backend);
  assert.equal(report.networks.length, 4);
  assert.ok(report.steps.every((s) => Number.isFinite(s.startMs) && s.endMs >= s.startMs));
  assert.ok(report.peakAccountedBytes <= 1200);
  assert.ok(report.networks.every((n) => n.endMs >= n.startMs && n.startMs >= n.arrivalMs));
});

test("an abort stops new launches; the running step ends and is recorded, the report is partial", async () => {
  const controller = new AbortController();
  let started = 0;
  let now = 0;
  const backend: StepBackend = {
    now: () => now,
    run: ({ step }) => {
      started++;
      controller.abort();
      return new Promise((resolve) => setTimeout(() => resolve({ startMs: 0, endMs: (now = step.durationMs) }), 5));
    },
    free: () => {},
    sleepUntil: () => new Promise(() => {}),
  };
  const report = await runWithBackend(scenario, { policy: policies.mema, workers: 1, memoryBudgetBytes: null }, backend, controller.signal);
  assert.equal(started, 1, "nothing starts after the abort");
  assert.equal(report.interrupted, true);
  assert.equal(report.steps.filter((s) => s.kind !== "free").length, 1, "the step that was running is recorded");
  assert.equal(report.networks.length, 0);
});

test("a failed step fails the run after the steps still running have ended", async () => {
  let running = 0;
  let ended = 0;
  const backend: StepBackend = {
    now: () => 0,
    run: ({ step }) => {
      running++;
      if (running === 2) return Promise.reject(new Error("worker died"));
      return new Promise((resolve) => setTimeout(() => (ended++, resolve({ startMs: 0, endMs: step.durationMs })), 5));
    },
    free: () => {},
    sleepUntil: () => new Promise((resolve) => setTimeout(resolve, 1)),
  };
  const { Engine } = await import("../../../runtime/schedule/engine.ts");
  const { prepareRun } = await import("../../../runtime/schedule/simulate.ts");
  const { graph, policy } = prepareRun(scenario, { policy: policies.mema, workers: 2, memoryBudgetBytes: null });
  const engine = new Engine(graph, scenario.arrivals, policy, { workers: 2, memoryBudgetBytes: null });
  await assert.rejects(drive(engine, backend), /worker died/);
  assert.equal(ended, 1, "the other running step ended before the run failed");
  assert.equal(running, 2, "nothing started after the failure");
});
