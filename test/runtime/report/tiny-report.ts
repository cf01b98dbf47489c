// A hand-made run small enough to check by eye: two networks of two layers, two workers and a loading lane.
import type { RunReport } from "../../../runtime/report/types.ts";

const MIB = 1024 * 1024;

export function tinyReport(overrides: Partial<RunReport> = {}): RunReport {
  return {
    pipeline: "tiny",
    policy: "mema",
    memoryBudgetBytes: 64 * MIB,
    workers: 2,
    simulated: true,
    profile: "rpi4",
    seed: 1,
    makespanMs: 100,
    lowerBoundMs: 80,
    meanResponseMs: 85,
    p95ResponseMs: 100,
    peakAccountedBytes: 40 * MIB,
    networks: [
      { name: "agenet", instance: 0, arrivalMs: 0, startMs: 0, endMs: 70, waitMs: 0, responseMs: 70 },
      { name: "gendernet", instance: 0, arrivalMs: 0, startMs: 5, endMs: 100, waitMs: 5, responseMs: 100 },
    ],
    steps: [
      { network: "agenet", instance: 0, layer: "", kind: "init", worker: 0, startMs: 0, endMs: 5, bytes: MIB },
      { network: "gendernet", instance: 0, layer: "", kind: "init", worker: 1, startMs: 5, endMs: 10, bytes: MIB },
      { network: "agenet", instance: 0, layer: "conv1", kind: "load", worker: 2, startMs: 5, endMs: 20, bytes: 8 * MIB },
      { network: "agenet", instance: 0, layer: "conv1", kind: "exec", worker: 0, startMs: 20, endMs: 40, bytes: 2 * MIB },
      { network: "agenet", instance: 0, layer: "fc6", kind: "load", worker: 2, startMs: 20, endMs: 45, bytes: 24 * MIB },
      { network: "agenet", instance: 0, layer: "conv1", kind: "free", worker: 0, startMs: 40, endMs: 40, bytes: 0 },
      { network: "agenet", instance: 0, layer: "fc6", kind: "exec", worker: 0, startMs: 45, endMs: 70, bytes: MIB },
      { network: "gendernet", instance: 0, layer: "conv1", kind: "load", worker: 2, startMs: 45, endMs: 60, bytes: 8 * MIB },
      { network: "agenet", instance: 0, layer: "fc6", kind: "free", worker: 0, startMs: 70, endMs: 70, bytes: 0 },
      { network: "gendernet", instance: 0, layer: "conv1", kind: "exec", worker: 1, startMs: 60, endMs: 80, bytes: 2 * MIB },
      { network: "gendernet", instance: 0, layer: "fc6", kind: "load", worker: 2, startMs: 60, endMs: 85, bytes: 24 * MIB },
      { network: "gendernet", instance: 0, layer: "conv1", kind: "free", worker: 1, startMs: 80, endMs: 80, bytes: 0 },
      { network: "gendernet", instance: 0, layer: "fc6", kind: "exec", worker: 1, startMs: 85, endMs: 100, bytes: MIB },
      { network: "gendernet", instance: 0, layer: "fc6", kind: "free", worker: 1, startMs: 100, endMs: 100, bytes: 0 },
    ],
    memory: [
      { atMs: 0, accountedBytes: MIB },
      { atMs: 5, accountedBytes: 10 * MIB },
      { atMs: 20, accountedBytes: 36 * MIB },
      { atMs: 40, accountedBytes: 26 * MIB },
      { atMs: 45, accountedBytes: 40 * MIB },
      { atMs: 70, accountedBytes: 10 * MIB },
      { atMs: 85, accountedBytes: 36 * MIB },
      { atMs: 100, accountedBytes: 0 },
    ],
    ...overrides,
  };
}
