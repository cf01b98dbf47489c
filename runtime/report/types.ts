// The result of one run (simulated or real): what `--json` writes, what tables and timelines draw.
// Sizes in bytes, times in ms from the run's start.

export type StepKind = "init" | "load" | "exec" | "free";

export interface StepRecord {
  network: string;
  /** Which arrival of that network (0-based, per network name). */
  instance: number;
  /** Layer name; "" for init. */
  layer: string;
  kind: StepKind;
  /** The lane the step ran on: execution workers 0..n-1, loading lanes after them. */
  worker: number;
  startMs: number;
  endMs: number;
  /** Bytes this step reserved in the ledger (weights for load, activations for exec, 0 for free). */
  bytes: number;
  /**
   * Bytes the step read from storage: measured for real runs (its worker thread's count, Linux), modelled
   * for simulated ones (a load reads its weights, an adopted one nothing). Absent where unknown.
   */
  readBytes?: number;
  /** Loads: the weights were already resident (a session kept from an earlier instance); nothing was read. */
  resident?: boolean;
}

export interface NetworkRecord {
  name: string;
  instance: number;
  arrivalMs: number;
  startMs: number;
  endMs: number;
  waitMs: number;
  responseMs: number;
  /** Real runs: a hash of the instance's output tensors; identical across policies and budgets. */
  outputDigest?: string;
  /** Real runs, classifiers: index of the largest output. */
  top1?: number;
}

export interface MemorySample {
  atMs: number;
  accountedBytes: number;
  /** Real runs: the process RSS sampled at that moment. */
  rssBytes?: number;
}

/** What an emulated device's cgroup counted during a run (mema run --emulate). */
export interface DeviceFigures {
  /** What was emulated, as the CLI said it. */
  emulation: string;
  memoryLimitBytes: number | null;
  /** The cgroup's usage right before the first load: the process's own overhead as the device counts it. */
  usageBeforeBytes: number;
  /** The cgroup's peak during the run (page cache charged to it included); null where the kernel has none. */
  peakBytes: number | null;
  /** Bytes the cgroup read from storage during the run; null where no controller counts them. */
  readBytes: number | null;
  oomKills: number;
}

export interface RunReport {
  pipeline: string;
  /** The policy's name, or "baseline" for a plain onnxruntime-node loop (then `baseline` says which). */
  policy: string;
  /**
   * A plain loop without the scheduler (runtime/execute/baseline.ts): "naive" (the model file as given, a
   * session per arrival), "careful" (external-data whole-model files, a session per arrival) or "resident"
   * (external-data sessions created once and kept).
   */
  baseline?: "naive" | "careful" | "resident";
  /** null = no budget. */
  memoryBudgetBytes: number | null;
  workers: number;
  simulated: boolean;
  /** The device profile timings came from, for simulated runs. */
  profile?: string;
  seed: number;
  makespanMs: number;
  lowerBoundMs: number;
  meanResponseMs: number;
  p95ResponseMs: number;
  peakAccountedBytes: number;
  /**
   * Bytes read from storage during the run: for real runs what the kernel counted for the whole process
   * (Linux /proc/self/io), for simulated ones the sum of the steps'. Absent where unknown.
   */
  readBytes?: number;
  /**
   * The least any run of this scenario can read under its budget, starting from a cold page cache (every layer
   * once, again where the budget cannot keep it until its next use; runtime/schedule/metrics.ts minReadBytes).
   * A run that finds weights in the page cache can read less.
   */
  minReadBytes?: number;
  /** Real runs on an emulated device: what its cgroup counted. */
  device?: DeviceFigures;
  /** Real runs: RSS before the first load, and its peak during the run. */
  baselineRssBytes?: number;
  peakRssBytes?: number;
  /** Real runs stopped early (Ctrl-C): only the steps and networks that completed are listed. */
  interrupted?: boolean;
  /**
   * What went wrong without changing the run's answers, one line each: a session a worker did not release
   * (its memory may have stayed held beyond the ledger, so the memory figures understate). Absent: none.
   */
  warnings?: string[];
  networks: NetworkRecord[];
  steps: StepRecord[];
  /** How memory was admitted: "ledger" (per-layer, a hard ceiling) or "edgecaffe" (EdgeCaffe's own, may pass the budget). */
  admission?: "ledger" | "edgecaffe";
  /** Lanes the policy ran on (execution workers and loading lanes): the timeline's rows. */
  lanes?: number;
  /** Accounted memory after every change (and RSS samples for real runs), for timelines. */
  memory: MemorySample[];
}
