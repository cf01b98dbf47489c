// The driver real runs use (runtime/schedule/drive.ts; runtime/execute/real-run.ts is a backend of it, and
// nothing else drives a real run): every step once, on real timers, within the budget, the same step order as
// the simulator when durations are the same; every session released once, also after Ctrl-C; a failure in
// a step, a free or the backend's own background work fails the run once the running steps have ended.
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

/** A backend on real timers that records every session's load and release, as the real executor would. */
function sessionBackend(options: { failFree?: boolean; failSettle?: boolean; abort?: AbortController } = {}) {
  const t0 = performance.now();
  const opened = new Set<number>();
  const released: number[] = [];
  let settled = false;
  const backend: StepBackend = {
    now: () => performance.now() - t0,
    run: ({ step, session }) => {
      if (session && !session.adopted) opened.add(session.id);
      if (step.kind === "exec" && options.abort && opened.size >= 3) options.abort.abort();
      return new Promise((resolve) => {
        const startMs = performance.now() - t0;
        setTimeout(() => resolve({ startMs, endMs: performance.now() - t0 }), 1);
      });
    },
    free: async ({ session, keep }) => {
      await new Promise((resolve) => setTimeout(resolve, 2));
      if (options.failFree) throw new Error("release failed");
      if (!keep) released.push(session);
    },
    evict: async ({ session }) => {
      await new Promise((resolve) => setTimeout(resolve, 2));
      released.push(session);
    },
    sleepUntil: (atMs) => new Promise((resolve) => setTimeout(resolve, Math.max(0, atMs - (performance.now() - t0)))),
    settle: async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (options.failSettle) throw new Error("gathering outputs failed");
      settled = true;
    },
  };
  return { backend, opened, released, settled: () => settled };
}

test("every session loaded is released once, by a free or an eviction of a kept one, before the run ends; then the backend settles", async () => {
  for (const keep of [false, true]) {
    const { backend, opened, released, settled } = sessionBackend();
    const report = await runWithBackend(scenario, { policy: policies.mema, workers: 2, memoryBudgetBytes: 1500, keep }, backend);
    assert.equal(report.networks.length, 4);
    assert.ok(opened.size > 0);
    assert.deepEqual([...released].sort((a, b) => a - b), [...opened].sort((a, b) => a - b), `keep ${keep}: each session released once`);
    assert.equal(settled(), true, "settle awaited before the run ends");
    if (keep) assert.ok(report.steps.some((s) => s.resident), "kept sessions were adopted");
  }
});

test("after an abort the running steps end, and every session loaded is still released (Ctrl-C)", async () => {
  const abort = new AbortController();
  const { backend, opened, released } = sessionBackend({ abort });
  const report = await runWithBackend(scenario, { policy: policies.mema, workers: 2, memoryBudgetBytes: 1500, keep: true }, backend, abort.signal);
  assert.equal(report.interrupted, true);
  assert.ok(report.networks.length < 4);
  // A session whose layer had not yet run its exec is released by the backend's own clean-up (real-run.ts:
  // loadedSessions); the driver releases the rest: none twice, none that was never loaded.
  assert.equal(new Set(released).size, released.length);
  assert.ok(released.every((id) => opened.has(id)));
  assert.ok(released.length > 0);
});

test("a failed free or a failed settle fails the run", async () => {
  await assert.rejects(runWithBackend(scenario, { policy: policies.mema, workers: 2, memoryBudgetBytes: 1500 }, sessionBackend({ failFree: true }).backend), /release failed/);
  await assert.rejects(runWithBackend(scenario, { policy: policies.mema, workers: 2, memoryBudgetBytes: 1500 }, sessionBackend({ failSettle: true }).backend), /gathering outputs failed/);
});
