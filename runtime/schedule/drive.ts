// Drives the engine with an asynchronous backend: the real executor (worker threads) plugs in here.
// The backend owns the clock and the work; the engine decides what starts when. Nothing here knows how
// steps run, so the same engine and policy behave the same on the simulator's virtual clock and for real.
import type { RunReport } from "../report/types.ts";
import { Engine, type Launch } from "./engine.ts";
import type { Step } from "./graph.ts";
import { buildReport, prepareRun, type RunOptions, type Scenario } from "./simulate.ts";

export interface StepBackend {
  /** ms since the run's start, on the backend's clock. */
  now(): number;
  /**
   * Starts `launch.step` on lane `launch.lane` (init: make the input; load: read weights, create the
   * session; exec: run it on its inputs) and resolves when it has ended, with when it really started and
   * ended (ms since the run's start). Rejecting aborts the run.
   */
  run(launch: Launch): Promise<{ startMs: number; endMs: number }>;
  /** Performs a free step (release the layer's session, drop the activations it names). The engine has
   * already given its bytes back; no completion report is needed. */
  free(step: Step): void | Promise<void>;
  /** Resolves at `atMs` (the next arrival) or earlier; the driver polls again then. */
  sleepUntil(atMs: number): Promise<void>;
}

/** Runs the engine to the end on `backend`; resolves once every step has completed. */
export async function drive(engine: Engine, backend: StepBackend, signal?: AbortSignal): Promise<void> {
  const inFlight = new Map<number, Promise<{ id: number; startMs: number; endMs: number }>>();
  let dispatch = engine.poll(backend.now());
  for (;;) {
    for (const step of dispatch.free) await backend.free(step);
    for (const launch of dispatch.start) {
      const id = launch.step.id;
      inFlight.set(id, backend.run(launch).then((t) => ({ id, ...t })));
    }
    if (engine.finished && inFlight.size === 0) return;
    if (signal?.aborted) throw signal.reason ?? new Error("aborted");
    const waits: Promise<{ id: number; startMs: number; endMs: number } | null>[] = [...inFlight.values()];
    if (dispatch.wakeAtMs !== null) waits.push(backend.sleepUntil(dispatch.wakeAtMs).then(() => null));
    if (waits.length === 0) throw new Error("the engine has nothing running and nothing to wait for");
    const done = await Promise.race(waits);
    if (done) {
      inFlight.delete(done.id);
      engine.complete(done.id, done.endMs, done.startMs);
    }
    dispatch = engine.poll(backend.now());
  }
}

/** Prepares (tiling, refusals), runs on `backend` and reports, with `simulated: false`. */
export async function runWithBackend(scenario: Scenario, options: RunOptions, backend: StepBackend, signal?: AbortSignal): Promise<RunReport> {
  const { policy, graph } = prepareRun(scenario, options);
  const engine = new Engine(graph, scenario.arrivals, policy, {
    workers: options.workers,
    memoryBudgetBytes: options.memoryBudgetBytes,
    admission: options.admission ?? "ledger",
  });
  await drive(engine, backend, signal);
  return buildReport(scenario, options, engine, false);
}
