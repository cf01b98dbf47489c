// Drives the engine with an asynchronous backend: real execution (runtime/execute/real-run.ts) is one.
// The backend owns the clock and the work; the engine decides what starts when. Nothing here knows how
// steps run, so the same engine and policy behave the same on the simulator's virtual clock and for real.
import type { RunReport } from "../report/types.ts";
import type { Engine, Freed, Launch } from "./engine.ts";
import type { Eviction } from "./residency.ts";
import { buildReport, engineFor, prepareRun, type RunOptions, type Scenario } from "./simulate.ts";

export interface StepBackend {
  /** ms since the run's start, on the backend's clock. */
  now(): number;
  /**
   * Starts `launch.step` on lane `launch.lane` (init: make the input; load: read weights, create the
   * session; exec: run it on its inputs) and resolves when it has ended, with when it really started and
   * ended (ms since the run's start), and the bytes it read from storage if measured. Rejecting fails the
   * run once the steps still running have ended.
   */
  run(launch: Launch): Promise<StepResult>;
  /**
   * Performs a free step: releases the layer's session (or, `keep`, leaves it loaded for a later instance)
   * and drops the activations it names. The engine has already given its bytes back; no completion report
   * is needed. It may finish in the background: the run ends after it, and its rejection fails the run.
   */
  free(freed: Freed): void | Promise<void>;
  /** Releases a kept session the engine gave up (its bytes are already back); in the background too. */
  evict?(eviction: Eviction): void | Promise<void>;
  /** Resolves at `atMs` (the next arrival) or earlier; the driver polls again then. */
  sleepUntil(atMs: number): Promise<void>;
  /** Background work of the backend's own (gathering outputs, say), awaited before the run ends. */
  settle?(): Promise<void>;
}

/** How a drive ended: `complete` false when the signal stopped it (the steps that ran are recorded). */
export interface DriveResult {
  complete: boolean;
}

/** When a step really ran (ms since the run's start) and what it read from storage, if measured. */
export interface StepResult {
  startMs: number;
  endMs: number;
  readBytes?: number;
}

type Done = ({ id: number } & StepResult) | { id: number; error: unknown };

/**
 * Runs the engine to the end on `backend`. An abort (`signal`) or a failed step stops new launches; the
 * steps already running end and are recorded, then an abort resolves `{ complete: false }` and a failure
 * rejects with the step's error.
 */
export async function drive(engine: Engine, backend: StepBackend, signal?: AbortSignal): Promise<DriveResult> {
  const inFlight = new Map<number, Promise<Done>>();
  const background = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  const track = (work: Promise<void>) => {
    const tracked = work
      .catch((error) => void (failure ??= { error }))
      .finally(() => background.delete(tracked));
    background.add(tracked);
  };
  const stopping = () => failure !== undefined || signal?.aborted === true;
  let aborted: Promise<null> | undefined;
  const whenAborted = () =>
    (aborted ??= new Promise<null>((resolve) => {
      if (signal?.aborted) resolve(null);
      else signal?.addEventListener("abort", () => resolve(null), { once: true });
    }));

  let dispatch = engine.poll(backend.now());
  for (;;) {
    for (const freed of dispatch.free) {
      const work = backend.free(freed);
      if (work) track(work);
    }
    for (const eviction of dispatch.evict) {
      const work = backend.evict?.(eviction);
      if (work) track(work);
    }
    for (const launch of dispatch.start) {
      const id = launch.step.id;
      inFlight.set(
        id,
        backend.run(launch).then(
          (t) => ({ id, ...t }),
          (error: unknown) => ({ id, error }),
        ),
      );
    }
    if (engine.finished && inFlight.size === 0) break;
    if (stopping() && inFlight.size === 0) break;
    const waits: Promise<Done | null>[] = [...inFlight.values()];
    if (!stopping()) {
      if (dispatch.wakeAtMs !== null) waits.push(backend.sleepUntil(dispatch.wakeAtMs).then(() => null));
      if (signal) waits.push(whenAborted());
    }
    if (waits.length === 0) throw new Error("the engine has nothing running and nothing to wait for");
    const done = await Promise.race(waits);
    if (done) {
      inFlight.delete(done.id);
      if ("error" in done) failure ??= { error: done.error };
      else engine.complete(done.id, done.endMs, done.startMs, done.readBytes);
    }
    // Once stopping, nothing new starts; frees the completions made ready are still performed.
    dispatch = stopping() ? engine.drain() : engine.poll(backend.now());
  }
  while (background.size > 0) await Promise.all(background);
  if (backend.settle) await backend.settle().catch((error) => void (failure ??= { error }));
  if (failure) throw failure.error;
  return { complete: engine.finished };
}

/** Prepares (tiling, refusals), runs on `backend` and reports, with `simulated: false`. */
export async function runWithBackend(scenario: Scenario, options: RunOptions, backend: StepBackend, signal?: AbortSignal): Promise<RunReport> {
  const engine = engineFor(scenario, options, prepareRun(scenario, options));
  const { complete } = await drive(engine, backend, signal);
  return buildReport(scenario, options, engine, false, complete ? undefined : { stoppedAtMs: backend.now() });
}
