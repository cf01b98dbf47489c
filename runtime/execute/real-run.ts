// A real run: the scheduling engine (runtime/schedule/engine.ts) driven by the session worker pool on the
// wall clock, with the process RSS sampled throughout. Returns the same RunReport as the simulator, with
// `simulated: false`, measured times, RSS figures and each instance's output digest.
import type { RunReport } from "../report/types.ts";
import { drive, type StepBackend } from "../schedule/drive.ts";
import type { Engine } from "../schedule/engine.ts";
import { networkFacts, type NetworkSpec } from "../schedule/network.ts";
import { sessionKey } from "../schedule/graph.ts";
import { weightsOf } from "../schedule/units.ts";
import type { Policy } from "../schedule/policy.ts";
import { buildReport, engineFor, prepareRun, type RunOptions, runLowerBoundMs, type Scenario } from "../schedule/simulate.ts";
import { fixMmapThreshold, processReadBytes, relaxMmapThreshold, releaseStartupCode } from "../host/native.mjs";
import { startDeviceFigures } from "./device-figures.ts";
import { currentEmulation } from "../host/emulate.ts";
import { kernelPeakRss, resetPeakRss, type RssRecording, rssBytes, settleHeap, startRssSampler } from "../host/rss.ts";
import { clockMs, SessionPool, type SessionSettings } from "../host/workers.ts";
import { useSmallYoungGeneration } from "./young-generation.ts";
import { withSessionAffinity } from "./affinity.ts";
import { mergeMemorySamples } from "./memory-samples.ts";
import { type InstanceAnswer, RealExecutor, type RealNetwork, type StepTiming } from "./executor.ts";
import { layerRunError } from "./layer-errors.ts";
import { RunInterrupted } from "./interrupt.ts";

export interface RealScenario extends Scenario {
  /** Parallel to `networks`: how each runs for real. */
  real: RealNetwork[];
}

export interface Progress {
  stepsDone: number;
  stepsTotal: number;
  networksDone: number;
  networksTotal: number;
  elapsedMs: number;
}

export interface RealRunOptions extends Omit<RunOptions, "tile" | "profile"> {
  /** onnxruntime session options for every load (runtime/execute/session-options.ts). */
  session: SessionSettings;
  /** RSS sampling period; default 2 ms. */
  rssIntervalMs?: number;
  /** Where RSS is sampled (host/rss.ts); default "main". */
  rssSampler?: "main" | "thread";
  /** Aborting stops launching steps; running steps finish, sessions are released, a partial report returns. */
  signal?: AbortSignal;
  onProgress?(progress: Progress): void;
  /** A pool to run on (reused across runs, e.g. by the soak); its size must be the policy's lane count. */
  pool?: SessionPool;
}

/**
 * What one more onnxruntime session holds in a worker besides its weights (which it maps and the ledger
 * counts): measured by creating 192 layer sessions of PP-OCR det (4.47 MiB of weights, 64 layers, three
 * times) in a worker thread: +12.95 MiB, 69 KiB each (12 KiB each once released sessions had left free
 * memory behind). Real runs count it with every load unless `sessionOverheadBytes` says otherwise.
 */
export const REAL_SESSION_OVERHEAD_BYTES = 72 * 1024;

/**
 * Blocks of this size and more are mapped on their own and unmapped when freed (native.mjs fixMmapThreshold),
 * set before the workers start in a run whose budget cannot hold its weights. Measured on the emulated rpi4
 * (peak RSS over RSS before the first load, less the ledger's peak): MemA at 1/2 of its weights 39-46 -> 27-32
 * MiB (4 runs each, makespan 31.1 vs 31.2 s); faces at 512 MB under 800 MiB 47-55 -> 37-39 MiB by RSS and 28-40
 * -> 17-19 MiB by the cgroup's meter (3 runs each); light at 1/8 49-55 -> 40 MiB, 15.5-15.8 s either way. 4 MiB
 * kept more (37 MiB on MemA); 2 MiB was as 1 MiB. The price is the page faults of a fresh mapping for every
 * large intermediate: CPU that a run waiting on storage has to spare, but light with ample memory (CPU-bound
 * at the rpi4's 0.4 CPU) took 5.3-5.9 s with it and 4.0-5.0 s without (3 runs each), for 6-8 MiB less RSS. So a
 * run with room for every weight leaves glibc's own threshold (relaxMmapThreshold after a tight run).
 */
const MMAP_THRESHOLD_BYTES = 1 << 20;

/** Runs `scenario` for real. A partial report (aborted) has `interrupted: true` and only the steps that ran. */
export async function runRealScenario(scenario: RealScenario, options: RealRunOptions): Promise<RunReport> {
  const prepared = prepareRun(scenario, { ...options, sessionOverheadBytes: options.sessionOverheadBytes ?? REAL_SESSION_OVERHEAD_BYTES });
  const { graph } = prepared;
  // Which lane ran each instance's loads, so its execs go where the sessions are.
  const loadLane = new Map<string, number>();
  const policy: Policy = withSessionAffinity(prepared.policy, (step) => loadLane.get(sessionKey(step.instance, step.layer)));
  const engine = engineFor(scenario, options, prepared, policy);
  const lanes = engine.lanes.length;
  const ownPool = !options.pool;
  if (!options.pool) useSmallYoungGeneration();
  if (options.memoryBudgetBytes != null && options.memoryBudgetBytes < weightsOf(prepared.networks)) fixMmapThreshold(MMAP_THRESHOLD_BYTES);
  else relaxMmapThreshold();
  const pool = options.pool ?? (await SessionPool.open(lanes));
  // Starting threads puts the main isolate's semi-space growth back to V8's default: set it again.
  if (!options.pool) useSmallYoungGeneration();
  if (pool.size < lanes) throw new Error(`policy ${policy.name} needs ${lanes} workers, the pool has ${pool.size}`);
  const executor = new RealExecutor(pool, options.session);
  const answers = new Map<number, InstanceAnswer>();

  // The main thread only dispatches here (onnxruntime runs in the workers), so it samples itself: a sampler
  // thread would add its own RSS to every figure (runtime/execute/README.md, "Memory, measured").
  // onnxruntime's first session in a process costs ~26 MiB once (measured in a worker: +26.2 MiB for the
  // first layer of PP-OCR det, +0.02 MiB for the same first session once the process had made one): a fixed
  // cost of the pool, like the worker threads, so each worker makes and releases one before the baseline.
  try {
    await warmUp(pool, lanes, scenario, options.session);
    if (options.signal?.aborted) throw new RunInterrupted("while starting the workers");
  } catch (error) {
    // The threads would keep the process alive behind the error.
    if (ownPool) await pool.close().catch(() => {});
    throw error;
  }
  // What start-up ran (onnxruntime registering every kernel and schema, the module loader, the compiler) is
  // code the run does not need again: its pages leave the process's resident set (runtime/execute/README.md).
  // What preparing the models left for the collector (a first run splits them in this process) goes back now,
  // before the process's own memory is measured, not during the run; first, since collecting runs code that
  // releaseStartupCode would otherwise see faulted back in.
  await settleHeap();
  releaseStartupCode();
  // On an emulated device the peak is the kernel's (resetPeakRss below) and the samples only draw the curve:
  // every 2 ms the main thread's timer took ~0.3 s of a 0.4-CPU quota in a 16 s run (light at 1/4 of its
  // weights, per-thread CPU from /proc), so it samples every 10 ms there.
  const emulated = currentEmulation() !== null;
  const sampler = await startRssSampler(options.rssIntervalMs ?? (emulated ? 10 : 2), { on: options.rssSampler ?? "main" });
  const baselineRssBytes = rssBytes();
  const kernelPeak = emulated && resetPeakRss();
  const device = startDeviceFigures();
  const readBefore = processReadBytes();
  const t0 = clockMs();
  const since = (epochMs: number) => epochMs - t0;

  let stepsDone = 0;
  let networksDone = 0;
  const progress = () =>
    options.onProgress?.({ stepsDone, stepsTotal: graph.steps.length, networksDone, networksTotal: graph.instances.length, elapsedMs: since(clockMs()) });
  const finishing = new Set<Promise<void>>();
  // Kept sessions being released: a load waits for them, since the ledger admitted it into their room
  // (a release queued behind a long exec on another worker would otherwise overlap the load's reading).
  const evicting = new Set<Promise<void>>();
  const timed = (timing: StepTiming) => ({
    startMs: since(timing.startMs),
    endMs: since(timing.endMs),
    ...(timing.readBytes !== undefined ? { readBytes: timing.readBytes } : {}),
  });

  const backend: StepBackend = {
    now: () => since(clockMs()),
    async run({ step, lane, session }) {
      const inst = graph.instances[step.instance]!;
      let timing: StepTiming;
      switch (step.kind) {
        case "init": {
          const startMs = clockMs();
          executor.init(step.instance, scenario.real[inst.network]!);
          timing = { worker: lane, startMs, endMs: clockMs() };
          break;
        }
        case "load":
          // An adopted session lives on the lane it was loaded on: the exec goes there.
          loadLane.set(sessionKey(step.instance, step.layer), session!.lane);
          if (!session!.adopted && evicting.size > 0) await Promise.all(evicting);
          timing = await executor.load(step.instance, step.layer, lane, session!);
          break;
        case "exec":
          timing = await executor.exec(step.instance, step.layer);
          if (step.id === inst.lastExec) {
            const gathered = executor.finish(step.instance).then((answer) => void answers.set(step.instance, answer));
            finishing.add(gathered);
          }
          break;
        case "free":
          throw new Error("free steps are not launched");
      }
      stepsDone++;
      if (step.id === inst.lastExec) networksDone++;
      progress();
      return timed(timing);
    },
    free({ step, session, keep }) {
      stepsDone++;
      return executor.free(step.instance, step.layer, session, keep);
    },
    evict({ session }) {
      const released = executor.release(session).finally(() => evicting.delete(released));
      evicting.add(released);
      return released;
    },
    sleepUntil: (atMs) => new Promise((resolve) => setTimeout(resolve, Math.max(0, atMs - since(clockMs())))),
    async settle() {
      await Promise.all(finishing);
    },
  };

  let complete: boolean;
  let recording: RssRecording;
  try {
    ({ complete } = await drive(engine, backend, options.signal));
  } finally {
    if (ownPool) await pool.close();
    else for (const session of executor.loadedSessions()) await executor.release(session);
    recording = await sampler.stop();
  }
  const result = buildReport(scenario, options as RunOptions, engine, false, complete ? undefined : { stoppedAtMs: since(clockMs()) });
  graph.instances.forEach((inst) => {
    const record = result.networks.find((n) => n.name === inst.name && n.instance === inst.perName);
    const answer = answers.get(inst.index);
    if (record && answer) {
      record.outputDigest = answer.outputDigest;
      if (answer.top1 !== undefined) record.top1 = answer.top1;
    }
  });
  result.lowerBoundMs = measuredLowerBound(scenario, engine, Math.max(options.workers, lanes));
  const readAfter = processReadBytes();
  if (readBefore !== null && readAfter !== null) result.readBytes = readAfter - readBefore;
  else delete result.readBytes;
  const figures = device.finish();
  if (figures) result.device = figures;
  result.baselineRssBytes = baselineRssBytes;
  result.peakRssBytes = Math.max(baselineRssBytes, recording.peakRssBytes, (kernelPeak && kernelPeakRss()) || 0);
  result.memory = mergeMemorySamples(result.memory, recording.samples.map((s) => ({ atMs: since(s.atMs), rssBytes: s.rssBytes })));
  if (executor.unreleased.length > 0) result.warnings = [...executor.unreleased];
  return result;
}

/**
 * The lower bound recomputed from this run's measured step times, as the driver recorded them in the engine
 * (mean per network and layer; frees, steps that never ended, and adopted loads, which read nothing, left out).
 */
function measuredLowerBound(scenario: Scenario, engine: Engine, lanes: number): number {
  const graph = engine.graph;
  const sums = scenario.networks.map((spec) => ({
    load: spec.layers.map(() => [0, 0]),
    exec: spec.layers.map(() => [0, 0]),
    whole: { load: [0, 0], exec: [0, 0] },
    init: [0, 0],
  }));
  for (const step of graph.steps) {
    const ms = engine.endMs[step.id]! - engine.startMs[step.id]!;
    if (step.kind === "free" || !Number.isFinite(ms) || (step.kind === "load" && engine.adopted(step.id))) continue;
    const s = sums[graph.instances[step.instance]!.network]!;
    const cell = step.kind === "init" ? s.init : step.layer < 0 ? (step.kind === "load" ? s.whole.load : s.whole.exec) : (step.kind === "load" ? s.load : s.exec)[step.layer];
    if (cell) {
      cell[0]! += ms;
      cell[1]! += 1;
    }
  }
  const mean = (cell: number[], fallback: number) => (cell[1]! > 0 ? cell[0]! / cell[1]! : fallback);
  const specs: NetworkSpec[] = scenario.networks.map((spec, n) => {
    const s = sums[n]!;
    if (s.whole.exec[1]! > 0) {
      // Whole-network steps (bulk): one pseudo-layer with the measured whole-model times.
      const only = { ...spec.layers[0]!, inputs: [-1], loadMs: mean(s.whole.load, 0), execMs: mean(s.whole.exec, 0) };
      return { name: spec.name, inputBytes: spec.inputBytes, initMs: mean(s.init, 0), layers: [only] };
    }
    return {
      ...spec,
      initMs: mean(s.init, 0),
      layers: spec.layers.map((layer, i) => ({ ...layer, loadMs: mean(s.load[i]!, layer.loadMs), execMs: mean(s.exec[i]!, layer.execMs) })),
    };
  });
  return runLowerBoundMs(scenario, engine, specs.map(networkFacts), lanes);
}

/** One session created and released on each lane, from the smallest layer file of the scenario. */
async function warmUp(pool: SessionPool, lanes: number, scenario: RealScenario, session: SessionSettings): Promise<void> {
  let smallest: { net: RealNetwork; layer: RealNetwork["model"]["layers"][number] } | undefined;
  for (const net of scenario.real) {
    for (const layer of net.model.layers) {
      if (layer.path && layer.weightsBytes < (smallest?.layer.weightsBytes ?? Infinity)) smallest = { net, layer };
    }
  }
  if (!smallest) return;
  const { net, layer } = smallest;
  for (let lane = 0; lane < lanes; lane++) {
    try {
      await pool.load(lane, "warm-up", layer.path!, session);
      await pool.free(lane, "warm-up");
    } catch (error) {
      throw layerRunError(error, "warm-up", { name: net.name, path: net.model.path }, layer.name);
    }
  }
}
