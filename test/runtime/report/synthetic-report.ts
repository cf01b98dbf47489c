// A realistic RunReport for report tests and visual checks: a small greedy simulation of 5 networks x 20
// layers arriving in rounds, 2 execution workers and one loading lane, a per-layer memory ledger under a
// budget, and (optionally) RSS samples every few ms as a real run would have. Seeded, so deterministic.
import type { MemorySample, NetworkRecord, RunReport, StepRecord } from "../../../runtime/report/types.ts";

const MIB = 1024 * 1024;

interface NetworkShape {
  name: string;
  weightsBytes: number;
  execMs: number;
}

/** Roughly the MemA scenario's networks (weights from EdgeCaffe's descriptions, exec times made up). */
export const MEMA_NETWORKS: NetworkShape[] = [
  { name: "agenet", weightsBytes: 45.6e6, execMs: 300 },
  { name: "gendernet", weightsBytes: 45.6e6, execMs: 600 },
  { name: "facenet", weightsBytes: 227e6, execMs: 1200 },
  { name: "sos", weightsBytes: 227e6, execMs: 940 },
  { name: "sos_googlenet", weightsBytes: 23.9e6, execMs: 500 },
];

export interface SyntheticOptions {
  networks?: NetworkShape[];
  layers?: number;
  /** Arrival time of each round, every network arriving once per round. */
  roundsMs?: number[];
  workers?: number;
  budgetBytes?: number | null;
  seed?: number;
  withRss?: boolean;
  pipeline?: string;
  policy?: string;
  /** Load throughput: bytes per ms. */
  loadBytesPerMs?: number;
}

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 0x100000000;
  };
}

interface Layer {
  name: string;
  weightsBytes: number;
  loadMs: number;
  execMs: number;
  activationBytes: number;
}

interface Instance {
  name: string;
  instance: number;
  arrivalMs: number;
  layers: Layer[];
  initDone: boolean;
  initRunning: boolean;
  startMs: number;
  endMs: number;
  nextLoad: number;
  loadedUpTo: number; // layers [0, loadedUpTo) are loaded
  nextExec: number;
  execRunning: boolean;
}

function layersOf(shape: NetworkShape, count: number, random: () => number, loadBytesPerMs: number): Layer[] {
  // Caffe-like: a few convs, one fully connected layer holding most weights, activations and ReLUs without.
  const fc = Math.floor(count * 0.65);
  const raw = Array.from({ length: count }, (_, i) =>
    i === fc ? 60 : i === fc + 2 ? 12 : i % 3 === 1 ? 0 : 0.5 + 3 * random(),
  );
  const rawExec = Array.from({ length: count }, (_, i) => (i < fc ? 2 + 10 * random() : 0.3 + random()));
  const sumW = raw.reduce((a, b) => a + b, 0);
  const sumE = rawExec.reduce((a, b) => a + b, 0);
  return raw.map((w, i) => {
    const weightsBytes = Math.round((shape.weightsBytes * w) / sumW);
    return {
      name: i === fc ? "fc6" : i === fc + 2 ? "fc7" : i % 3 === 1 ? `relu${i}` : `conv${i}`,
      weightsBytes,
      loadMs: Math.round((1 + weightsBytes / loadBytesPerMs) * 1000) / 1000,
      execMs: Math.round(((shape.execMs * (rawExec[i] ?? 1)) / sumE) * 1000) / 1000,
      activationBytes: Math.round((i < fc ? 3 : 0.05) * MIB * (0.5 + random())),
    };
  });
}

/** Runs the toy schedule and returns its report. */
export function syntheticReport(options: SyntheticOptions = {}): RunReport {
  const shapes = options.networks ?? MEMA_NETWORKS;
  const layerCount = options.layers ?? 20;
  const rounds = options.roundsMs ?? [0, 2500, 5200];
  const workers = options.workers ?? 2;
  const budget = options.budgetBytes === undefined ? 256 * MIB : options.budgetBytes;
  const seed = options.seed ?? 7;
  const random = rng(seed);
  const loadBytesPerMs = options.loadBytesPerMs ?? 150_000;
  const initBytes = 4 * MIB;
  const lookahead = 3;
  const loader = workers; // the one loading lane comes after the execution workers

  const instances: Instance[] = [];
  rounds.forEach((arrivalMs, round) => {
    for (const shape of shapes) {
      instances.push({
        name: shape.name,
        instance: round,
        arrivalMs,
        layers: layersOf(shape, layerCount, random, loadBytesPerMs),
        initDone: false,
        initRunning: false,
        startMs: NaN,
        endMs: NaN,
        nextLoad: 0,
        loadedUpTo: 0,
        nextExec: 0,
        execRunning: false,
      });
    }
  });

  const steps: StepRecord[] = [];
  const memory: MemorySample[] = [{ atMs: 0, accountedBytes: 0 }];
  let accounted = 0;
  const change = (atMs: number, delta: number) => {
    accounted += delta;
    const last = memory[memory.length - 1];
    if (last && last.atMs === atMs) last.accountedBytes = accounted;
    else memory.push({ atMs, accountedBytes: accounted });
  };
  const fits = (bytes: number) => budget === null || accounted + bytes <= budget;
  const laneFreeAt = new Array<number>(workers + 1).fill(0);
  type Running = { endMs: number; lane: number; done: () => void };
  let running: Running[] = [];
  let t = 0;
  const roundHeld = new Map<Instance, number>(); // activation bytes of the last exec, held until the next exec ends

  const start = (inst: Instance, layer: string, kind: StepRecord["kind"], lane: number, ms: number, bytes: number, done: () => void) => {
    steps.push({ network: inst.name, instance: inst.instance, layer, kind, worker: lane, startMs: t, endMs: t + ms, bytes });
    laneFreeAt[lane] = t + ms;
    running.push({ endMs: t + ms, lane, done });
  };

  for (let guard = 0; guard < 1_000_000; guard++) {
    let started = true;
    while (started) {
      started = false;
      // At most five instances at once, so that loaded weights cannot starve every execution.
      const present = instances.filter((i) => i.arrivalMs <= t && !(i.endMs <= t)).slice(0, 5);
      // Execution workers: inits first, then the executable layer of the earliest arrival.
      for (let w = 0; w < workers; w++) {
        if ((laneFreeAt[w] ?? 0) > t || running.some((r) => r.lane === w)) continue;
        const init = present.find((i) => !i.initDone && !i.initRunning && fits(initBytes));
        if (init) {
          init.initRunning = true;
          init.startMs = t;
          change(t, initBytes);
          start(init, "", "init", w, 3 + 6 * random(), initBytes, () => {
            init.initDone = true;
            init.initRunning = false;
          });
          started = true;
          continue;
        }
        const exec = present.find((i) => i.initDone && !i.execRunning && i.nextExec < i.loadedUpTo);
        const layer = exec?.layers[exec.nextExec];
        if (exec && layer && fits(layer.activationBytes)) {
          exec.execRunning = true;
          change(t, layer.activationBytes);
          const index = exec.nextExec;
          start(exec, layer.name, "exec", w, layer.execMs, layer.activationBytes, () => {
            // Weights of this layer and the previous activation go; a zero-length free step records it.
            const freed = layer.weightsBytes + (roundHeld.get(exec) ?? 0);
            steps.push({ network: exec.name, instance: exec.instance, layer: layer.name, kind: "free", worker: w, startMs: t, endMs: t, bytes: 0 });
            change(t, -freed);
            roundHeld.set(exec, layer.activationBytes);
            exec.execRunning = false;
            exec.nextExec = index + 1;
            if (exec.nextExec === exec.layers.length) {
              exec.endMs = t;
              change(t, -(roundHeld.get(exec) ?? 0) - initBytes);
              roundHeld.delete(exec);
            }
          });
          started = true;
        }
      }
      // The loading lane: next layer of the earliest arrival whose look-ahead window is open.
      if ((laneFreeAt[loader] ?? 0) <= t && !running.some((r) => r.lane === loader)) {
        const load = present.find(
          (i) => i.initDone && i.nextLoad < i.layers.length && i.nextLoad - i.nextExec < lookahead && fits(i.layers[i.nextLoad]!.weightsBytes),
        );
        if (load) {
          const layer = load.layers[load.nextLoad]!;
          load.nextLoad++;
          change(t, layer.weightsBytes);
          start(load, layer.name, "load", loader, layer.loadMs, layer.weightsBytes, () => {
            load.loadedUpTo++;
          });
          started = true;
        }
      }
    }
    if (instances.every((i) => i.endMs <= t)) break;
    const nextArrival = Math.min(...instances.filter((i) => i.arrivalMs > t).map((i) => i.arrivalMs));
    const nextEnd = Math.min(...running.map((r) => r.endMs));
    t = Math.min(nextArrival, nextEnd);
    if (!Number.isFinite(t)) throw new Error("synthetic schedule stalled: a layer does not fit the budget");
    const finished = running.filter((r) => r.endMs <= t).sort((a, b) => a.lane - b.lane);
    running = running.filter((r) => r.endMs > t);
    for (const r of finished) r.done();
  }

  const networks: NetworkRecord[] = instances.map((i) => ({
    name: i.name,
    instance: i.instance,
    arrivalMs: i.arrivalMs,
    startMs: i.startMs,
    endMs: i.endMs,
    waitMs: i.startMs - i.arrivalMs,
    responseMs: i.endMs - i.arrivalMs,
  }));
  const makespanMs = Math.max(...steps.map((s) => s.endMs));
  const execWork = steps.filter((s) => s.kind === "exec").reduce((a, s) => a + s.endMs - s.startMs, 0);
  const loadWork = steps.filter((s) => s.kind === "load").reduce((a, s) => a + s.endMs - s.startMs, 0);
  const responses = networks.map((n) => n.responseMs).sort((a, b) => a - b);
  const report: RunReport = {
    pipeline: options.pipeline ?? "faces",
    policy: options.policy ?? "mema",
    memoryBudgetBytes: budget,
    workers,
    simulated: !options.withRss,
    seed,
    makespanMs,
    lowerBoundMs: Math.max(execWork / workers, loadWork),
    meanResponseMs: responses.reduce((a, b) => a + b, 0) / responses.length,
    p95ResponseMs: responses[Math.min(responses.length - 1, Math.ceil(0.95 * responses.length) - 1)] ?? 0,
    peakAccountedBytes: Math.max(...memory.map((m) => m.accountedBytes)),
    networks,
    steps,
    memory,
  };
  if (!options.withRss) {
    report.profile = "rpi4";
    return report;
  }
  // RSS as a real run would sample it: a baseline, the accounted bytes plus allocator slack, some noise.
  const baseline = 92 * MIB;
  const samples: MemorySample[] = [];
  let m = 0;
  for (let at = 0; at <= makespanMs; at += 5) {
    while (m + 1 < memory.length && memory[m + 1]!.atMs <= at) m++;
    const acc = memory[m]!.accountedBytes;
    samples.push({ atMs: at, accountedBytes: acc, rssBytes: Math.round(baseline + acc * 1.04 + 6 * MIB * random()) });
  }
  report.memory = [...memory, ...samples].sort((a, b) => a.atMs - b.atMs);
  report.baselineRssBytes = baseline;
  report.peakRssBytes = Math.max(...samples.map((s) => s.rssBytes ?? 0));
  return report;
}
