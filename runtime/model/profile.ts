// Measures a split model on this machine: per-layer load (session create from its file) and exec (run)
// medians, and the whole model's create and run, on the same seeded inputs.
import { cpus, platform, arch } from "node:os";
import { currentRuntime } from "../platform.ts";
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
  /** Each layer's facts with loadMs / execMs set (medians), in execution order. */
  layers: LayerInfo[];
}

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
export async function measureWhole(split: SplitModel, feeds: Feeds, runs: number, warmUp = true): Promise<{ loadMs: number[]; execMs: number[] }> {
  const loadMs: number[] = [];
  const execMs: number[] = [];
  for (let run = warmUp ? -1 : 0; run < runs; run++) {
    const t0 = performance.now();
    const session = await openSession(split.path, split.path);
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
export async function measureLayers(split: SplitModel, feeds: Feeds, runs: number, warmUp = true): Promise<{ loadMs: number[][]; execMs: number[][] }> {
  const loadMs = split.layers.map(() => [] as number[]);
  const execMs = split.layers.map(() => [] as number[]);
  for (let run = warmUp ? -1 : 0; run < runs; run++) {
    const values: Feeds = { ...feeds };
    for (const [index, layer] of split.layers.entries()) {
      const t0 = performance.now();
      const loaded = await loadLayer(layer);
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

/** Profiles a split model: medians of `runs` runs (page cache warm: the warm-up run reads the files first). */
export async function profileModel(split: SplitModel, runs = 5, seed = 42): Promise<LayerProfile> {
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
    layers: split.layers.map(({ path: _path, ...layer }, i) => ({
      ...layer,
      loadMs: median(layers.loadMs[i]!),
      execMs: median(layers.execMs[i]!),
    })),
  };
}
