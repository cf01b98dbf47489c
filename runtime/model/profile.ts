// Measures a split model on this machine: per-layer load (session create from its file) and exec (run)
// medians, and the whole model's create and run, on the same seeded inputs.
import { cpus, platform, arch } from "node:os";
import { currentRuntime } from "../platform.ts";
import { availableCores, memoryLimitBytes } from "../host/limits.ts";
import { ortSessionOptions } from "../host/ort-options.ts";
import { dropRanges, readRanges } from "../host/native.mjs";
import { seededInputs } from "./seeded-inputs.ts";
import { openSession } from "./split.ts";
import { type Feeds, loadLayer, toFeeds } from "./staged-run.ts";
import type { LayerInfo, SplitModel } from "./types.ts";

/** A stored profile: what `mema profile` writes and the simulator reads. */
export interface LayerProfile {
  format: "mema-layer-profile/1";
  model: string;
  sha256: string;
  machine: { runtime: string; platform: string; cpus: number; cpuModel: string };
  measuredAt: string;
  runs: number;
  /** The whole model in one session: create and run medians. */
  whole: { loadMs: number; execMs: number };
  /**
   * The device measured on: storage read bandwidth (the model's weights read cold, in load order) and the
   * cores the process could use. Layer loadMs is the session's creation with its weights in memory.
   */
  device?: { readBytesPerSecond?: number; cpus: number; memoryBytes?: number; note: string };
  /** Each layer's facts with loadMs / execMs set (medians), in execution order. */
  layers: LayerInfo[];
}

/**
 * The session options of a real run's steps (runtime/execute/session-options.ts defaults, one intra-op
 * thread: a lane's share with two workers on two cores), so that measured times are what a run's steps take.
 */
export const PROFILE_SESSION_OPTIONS = ortSessionOptions({ enableCpuMemArena: false, enableMemPattern: false, disablePrepacking: true, intraOpNumThreads: 1, interOpNumThreads: 1 });

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function machine(): LayerProfile["machine"] {
  const info = cpus();
  const version = (globalThis as { Bun?: { version: string } }).Bun?.version ??
    (globalThis as { Deno?: { version: { deno: string } } }).Deno?.version.deno ?? process.versions.node;
  return { runtime: `${currentRuntime()} ${version}`, platform: `${platform()} ${arch()}`, cpus: info.length, cpuModel: info[0]?.model ?? "unknown" };
}

/** Whole-model create and run times for each of `runs` runs (after one warm-up unless `warmUp` is false). */
export async function measureWhole(split: SplitModel, feeds: Feeds, runs: number, warmUp = true, options = PROFILE_SESSION_OPTIONS): Promise<{ loadMs: number[]; execMs: number[] }> {
  const loadMs: number[] = [];
  const execMs: number[] = [];
  for (let run = warmUp ? -1 : 0; run < runs; run++) {
    const t0 = performance.now();
    const session = await openSession(split.path, split.path, options);
    const t1 = performance.now();
    await session.run(feeds);
    const t2 = performance.now();
    await session.release();
    if (run >= 0) {
      loadMs.push(t1 - t0);
      execMs.push(t2 - t1);
    }
  }
  return { loadMs, execMs };
}

/** Per-layer load and exec times for each of `runs` staged runs (after one warm-up unless `warmUp` is false): [layer][run]. */
export async function measureLayers(split: SplitModel, feeds: Feeds, runs: number, warmUp = true, options = PROFILE_SESSION_OPTIONS): Promise<{ loadMs: number[][]; execMs: number[][] }> {
  const loadMs = split.layers.map(() => [] as number[]);
  const execMs = split.layers.map(() => [] as number[]);
  for (let run = warmUp ? -1 : 0; run < runs; run++) {
    const values: Feeds = { ...feeds };
    for (const [index, layer] of split.layers.entries()) {
      const t0 = performance.now();
      const loaded = await loadLayer(layer, options);
      const t1 = performance.now();
      const outputs = await loaded.exec(values);
      const t2 = performance.now();
      await loaded.free();
      Object.assign(values, outputs);
      if (run >= 0) {
        loadMs[index]!.push(t1 - t0);
        execMs[index]!.push(t2 - t1);
      }
    }
  }
  return { loadMs, execMs };
}

/**
 * Bytes per second of reading the model's layers cold (dropped from the page cache first), as load steps
 * read them; undefined where the page cache cannot be asked to drop them.
 */
export function measureReadBandwidth(split: SplitModel): number | undefined {
  const ranges = split.layers.flatMap((l) => l.reads ?? []);
  const bytes = ranges.reduce((n, r) => n + r.length, 0);
  if (bytes === 0 || !dropRanges(ranges)) return undefined;
  const t0 = performance.now();
  readRanges(ranges);
  const seconds = (performance.now() - t0) / 1000;
  return seconds > 0 ? Math.round(bytes / seconds) : undefined;
}

/**
 * Profiles a split model: medians of `runs` runs (page cache warm: the warm-up run reads the files first, so
 * a load is the session's creation with its weights in memory), and the device: cold read bandwidth, cores.
 */
export async function profileModel(split: SplitModel, runs = 5, seed = 42): Promise<LayerProfile> {
  const readBytesPerSecond = measureReadBandwidth(split);
  const memoryLimit = memoryLimitBytes();
  const feeds = toFeeds(seededInputs(split.inputs, seed));
  const whole = await measureWhole(split, feeds, runs);
  const layers = await measureLayers(split, feeds, runs);
  return {
    format: "mema-layer-profile/1",
    model: split.name,
    sha256: split.sha256,
    machine: machine(),
    measuredAt: new Date().toISOString(),
    runs,
    whole: { loadMs: median(whole.loadMs), execMs: median(whole.execMs) },
    device: {
      ...(readBytesPerSecond !== undefined ? { readBytesPerSecond } : {}),
      cpus: availableCores(),
      ...(memoryLimit !== undefined ? { memoryBytes: memoryLimit } : {}),
      note: "readBytesPerSecond: the model's weights read cold in 1 MiB requests; cpus: the cgroup's CPU quota, else the machine's cores; memoryBytes: the cgroup's memory limit",
    },
    layers: split.layers.map(({ path: _path, ...layer }, i) => ({
      ...layer,
      loadMs: median(layers.loadMs[i]!),
      execMs: median(layers.execMs[i]!),
    })),
  };
}
