// The simulator: the engine on a virtual clock, step durations from the scenario's NetworkSpecs (a device
// profile). Deterministic: the same scenario, settings and seed give the same report, byte for byte.
import type { RunReport, StepRecord } from "../report/types.ts";
import { roundMs, runReport } from "../report/run-report.ts";
import type { ArrivalSchedule } from "./arrivals.ts";
import { Engine, SchedulingError } from "./engine.ts";
import type { StepGraph } from "./graph.ts";
import { fitNow } from "./fit.ts";
import { type DeviceModel, SharedDevice } from "./device-model.ts";
import { lowerBoundMs, minReadBytes, withoutLoads } from "./metrics.ts";
import { type NetworkFacts, networkFacts, type NetworkSpec } from "./network.ts";
import type { Admission, Policy, PolicyFactory } from "./policy.ts";

export interface Scenario {
  pipeline: string;
  /** One per pipeline model; arrivals index into it. */
  networks: NetworkSpec[];
  arrivals: ArrivalSchedule;
  /** The same networks split into single layers, when `networks` are coarser units (merged layers): the least possible reading is judged on them. */
  layerNetworks?: NetworkSpec[];
}

/** Returns `network` with `layer` cut into tiles of at most `capBytes` weights each, or null if it cannot. */
export type TileRequest = (network: NetworkSpec, layer: number, capBytes: number) => NetworkSpec | null;

export interface RunOptions {
  policy: Policy | PolicyFactory;
  workers: number;
  /** null = no budget. */
  memoryBudgetBytes: number | null;
  admission?: Admission;
  /** Bytes each loaded session costs besides its weights (profiled; default 0). */
  sessionOverheadBytes?: number;
  /** Asked to tile a layer too large for the budget before the scenario is refused. */
  tile?: TileRequest;
  /** Keep loaded layers resident across instances (default: the policy's `keepsWeights`; runtime/schedule/residency.ts). */
  keep?: boolean;
  /**
   * The device the simulated run is on: loads read at its storage bandwidth, shared between concurrent
   * loads (a step's loadMs is then only the session's creation), and steps share its CPU quota. Absent:
   * every step takes its durationMs.
   */
  device?: DeviceModel;
  /** Reported as is (the seed that made the arrivals). */
  seed?: number;
  /** Reported as is (the device profile the durations came from). */
  profile?: string;
}

/** A prepared run: the scenario's networks after tiling, the policy, and its step graph. */
export interface PreparedRun {
  networks: NetworkSpec[];
  policy: Policy;
  graph: StepGraph;
}

/**
 * Builds the step graph, tiling layers that cannot fit (the fitting loop: ./fit.ts) and refusing
 * (SchedulingError E_TOO_BIG) a scenario that never can, naming the network, the layer and the bytes.
 */
export function prepareRun(scenario: Scenario, options: RunOptions): PreparedRun {
  const policy = typeof options.policy === "function" ? options.policy() : options.policy;
  const tile = options.tile;
  const { networks, graph } = fitNow(
    scenario.networks,
    scenario.arrivals,
    policy,
    { memoryBudgetBytes: options.memoryBudgetBytes, admission: options.admission, sessionOverheadBytes: options.sessionOverheadBytes },
    tile && ((ask) => tile(ask.spec, ask.layer, ask.capBytes)),
  );
  return { networks, policy, graph };
}

/**
 * The engine of a prepared run, for any driver: the simulator's virtual clock, or ./drive.ts with a backend.
 * `policy` replaces the prepared one (real runs wrap it: runtime/execute/affinity.ts).
 */
export function engineFor(scenario: Scenario, options: RunOptions, prepared: PreparedRun, policy: Policy = prepared.policy): Engine {
  return new Engine(prepared.graph, scenario.arrivals, policy, {
    workers: options.workers,
    memoryBudgetBytes: options.memoryBudgetBytes,
    admission: options.admission ?? "ledger",
    ...(options.keep !== undefined ? { keep: options.keep } : {}),
  });
}

/** Runs the scenario on the virtual clock and returns the report. */
export function simulate(scenario: Scenario, options: RunOptions): RunReport {
  return simulateRun(scenario, options).report;
}

/** The simulation with what tests and tools inspect besides the report: the graph and the engine. */
export function simulateRun(scenario: Scenario, options: RunOptions): { report: RunReport; engine: Engine; prepared: PreparedRun } {
  const prepared = prepareRun(scenario, options);
  const { policy, graph } = prepared;
  const engine = engineFor(scenario, options, prepared);
  if (options.device) return { report: simulateOnDevice(scenario, options, engine, options.device), engine, prepared };
  const running: { id: number; endMs: number; readBytes: number }[] = [];
  let now = 0;
  let dispatch = engine.poll(0);
  for (;;) {
    for (const { step, session } of dispatch.start) {
      // A load adopting a kept session reads nothing and takes no time; any other load reads its weights.
      const adopted = session?.adopted === true;
      const readBytes = step.kind === "load" && !adopted ? weightsOf(graph, step.instance, step.layer) : 0;
      running.push({ id: step.id, endMs: now + (adopted ? 0 : step.durationMs), readBytes });
    }
    if (engine.finished) break;
    let next = dispatch.wakeAtMs ?? Infinity;
    for (const r of running) if (r.endMs < next) next = r.endMs;
    if (next === Infinity) throw new SchedulingError(`policy ${policy.name}: nothing left to run or to wait for`, "E_DEADLOCK");
    now = next;
    // Everything ending now completes before the next poll, lowest step id first.
    const ending = running.filter((r) => r.endMs === now).sort((a, b) => a.id - b.id);
    for (const r of ending) {
      running.splice(running.indexOf(r), 1);
      engine.complete(r.id, now, undefined, r.readBytes);
    }
    dispatch = engine.poll(now);
  }
  return { report: buildReport(scenario, options, engine, true), engine, prepared };
}

/** The simulation on a device whose storage and CPU concurrent steps share (./device-model.ts). */
function simulateOnDevice(scenario: Scenario, options: RunOptions, engine: Engine, model: DeviceModel): RunReport {
  const graph = engine.graph;
  const device = new SharedDevice(model);
  const readOf = new Map<number, number>();
  let now = 0;
  let dispatch = engine.poll(0);
  for (;;) {
    for (const { step, session } of dispatch.start) {
      const adopted = session?.adopted === true;
      const readBytes = step.kind === "load" && !adopted ? weightsOf(graph, step.instance, step.layer) : 0;
      readOf.set(step.id, readBytes);
      device.start(step.id, readBytes, adopted ? 0 : step.durationMs);
    }
    if (engine.finished) break;
    const step = device.nextEventMs();
    const wake = dispatch.wakeAtMs === null ? Infinity : dispatch.wakeAtMs - now;
    const dt = Math.min(step, wake);
    if (dt === Infinity) throw new SchedulingError(`policy ${engine.policy.name}: nothing left to run or to wait for`, "E_DEADLOCK");
    now += dt;
    for (const id of device.advance(dt)) engine.complete(id, now, undefined, readOf.get(id));
    dispatch = engine.poll(now);
  }
  return buildReport(scenario, options, engine, true);
}

/** The weights a load of `layer` (-1: the whole network) of the instance's network reads. */
function weightsOf(graph: StepGraph, instance: number, layer: number): number {
  const net = graph.networks[graph.instances[instance]!.network]!;
  return layer < 0 ? net.totalWeightsBytes : net.spec.layers[layer]!.weightsBytes;
}

/**
 * The makespan bound of a run whose networks take `facts` (per scenario network). With weights kept
 * resident, an instance after its network's first may load nothing: its loads count as free.
 */
export function runLowerBoundMs(scenario: Scenario, engine: Engine, facts: NetworkFacts[], lanes: number): number {
  const graph = engine.graph;
  const keeps = engine.residency.enabled;
  const loadFree = new Map<number, NetworkFacts>();
  const seen = new Set<number>();
  const factsOf = (instance: number) => {
    const n = graph.instances[instance]!.network;
    if (!keeps || !seen.has(n)) {
      seen.add(n);
      return facts[n]!;
    }
    let free = loadFree.get(n);
    if (!free) loadFree.set(n, (free = withoutLoads(facts[n]!)));
    return free;
  };
  const bound = lowerBoundMs({
    arrivals: graph.arrivals
      .map((instances, a) => ({
        admittedMs: Math.min(...instances.map((i) => engine.arrivalMs[i]!)),
        gapMs: scenario.arrivals.arrivals[a]!.gapMs,
        networks: instances.map(factsOf),
      }))
      .filter((arrival) => Number.isFinite(arrival.admittedMs)),
    sequentialRounds: scenario.arrivals.gated && engine.admission === "ledger" && !scenario.arrivals.absolute,
    execLanes: lanes,
    totalLanes: lanes,
  });
  return roundMs(bound);
}

/**
 * The RunReport of a finished engine (simulated or real). `stopped`: the run was interrupted then; the
 * report keeps only the steps and networks that completed and says `interrupted: true`.
 */
export function buildReport(scenario: Scenario, options: RunOptions, engine: Engine, simulated: boolean, stopped?: { stoppedAtMs: number }): RunReport {
  const graph = engine.graph;
  const steps: StepRecord[] = graph.steps
    .map((s) => s)
    .sort((a, b) => engine.startMs[a.id]! - engine.startMs[b.id]! || a.id - b.id)
    .map((s) => {
      const inst = graph.instances[s.instance]!;
      return {
        network: inst.name,
        instance: inst.perName,
        layer: s.layerName,
        kind: s.kind,
        worker: engine.lane[s.id]!,
        startMs: engine.startMs[s.id]!,
        endMs: engine.endMs[s.id]!,
        bytes: s.kind === "free" ? 0 : s.reserveBytes,
        ...(Number.isFinite(engine.readBytes[s.id]!) ? { readBytes: engine.readBytes[s.id]! } : {}),
        ...(s.kind === "load" && engine.adopted(s.id) ? { resident: true } : {}),
      };
    });
  const networks = graph.instances.map((inst) => ({
    name: inst.name,
    instance: inst.perName,
    arrivalMs: engine.arrivalMs[inst.index]!,
    startMs: engine.instanceStartMs[inst.index]!,
    endMs: engine.instanceEndMs[inst.index]!,
  }));
  const lanes = engine.lanes.length;
  let readBytes = 0;
  for (const step of graph.steps) if (Number.isFinite(engine.readBytes[step.id]!)) readBytes += engine.readBytes[step.id]!;
  const leastRead = minReadBytes(
    (scenario.layerNetworks ?? scenario.networks).map(networkFacts),
    graph.arrivals.map((instances) => instances.map((i) => graph.instances[i]!.network)),
    options.memoryBudgetBytes,
  );
  // On a device with a read bandwidth, no run beats reading the least it must at that bandwidth either.
  const bandwidth = options.device?.readBytesPerSecond;
  const lowerBound = Math.max(runLowerBoundMs(scenario, engine, graph.networks, Math.max(options.workers, lanes)), bandwidth ? roundMs((leastRead / bandwidth) * 1000) : 0);
  return runReport({
    pipeline: scenario.pipeline,
    policy: engine.policy.name,
    memoryBudgetBytes: options.memoryBudgetBytes,
    workers: options.workers,
    simulated,
    ...(options.profile !== undefined ? { profile: options.profile } : {}),
    seed: options.seed ?? 0,
    lowerBoundMs: lowerBound,
    peakAccountedBytes: engine.peakAccountedBytes,
    readBytes,
    minReadBytes: leastRead,
    admission: engine.admission,
    lanes,
    networks,
    steps,
    memory: engine.memory,
    ...(stopped ? { stoppedAtMs: stopped.stoppedAtMs } : {}),
  });
}
