// The compiled plan: what a .mema (or YAML/JSON) document means, in bytes and milliseconds.
// This is the contract between lang/ and runtime/; its JSON form is described by lang/schema.ts.

/** Where a network comes from: a zoo name (stdlib/zoo) or an ONNX file (absolute path once compiled). */
export type ModelSource =
  | { kind: "zoo"; network: string }
  | { kind: "file"; path: string };

/** The input a network instance is fed: a seeded synthetic tensor (default) or an image file. */
export type InputPlan =
  | { kind: "synthetic"; seed: number }
  | { kind: "image"; path: string };

export interface ModelPlan {
  /** Unique within its pipeline; the name reports use. */
  name: string;
  source: ModelSource;
  /** Concrete dims for symbolic input dimensions, by input name (e.g. { x: [1, 3, 224, 224] }). */
  shapes: Record<string, number[]>;
  input: InputPlan;
}

/**
 * When networks are requested. Gaps follow EdgeCaffe: each gap is measured from the previous
 * admission. `batch` also waits until no network of the pipeline is active.
 * Every arrival requests all of the pipeline's models, unless `pick` draws `count` of them
 * (with replacement, seeded) per arrival, as EdgeCaffe's stochastic workloads do.
 */
export type ArrivalsPlan = (
  | { kind: "batch"; rounds: number; gapMs: number }
  | { kind: "periodic"; count: number; periodMs: number }
  | { kind: "normal"; count: number; meanMs: number; stddevMs: number; seed: number }
  | { kind: "poisson"; count: number; meanMs: number; seed: number }
  | { kind: "times"; timesMs: number[] }
) & { pick?: { count: number; seed: number } };

/** One point of a sweep: the settings a single run uses. `memoryBytes: null` = no budget. */
export interface RunSettings {
  memoryBytes: number | null;
  policy: string;
  workers: number;
}

/** The sweepable settings; each axis holds at least one value. `runs` is their cartesian product. */
export interface SweepAxes {
  memoryBytes: (number | null)[];
  policy: string[];
  workers: number[];
}

export interface PipelinePlan {
  name: string;
  models: ModelPlan[];
  arrivals: ArrivalsPlan;
  sweep: SweepAxes;
  /** Every combination of `sweep`, memory outermost, then policy, then workers. */
  runs: RunSettings[];
  /** onnxruntime session options set in the pipeline (threads per session, ...). */
  session: Record<string, number | string | boolean>;
}

export interface Plan {
  version: 1;
  /** The file the plan was compiled from, when there was one. */
  source?: string;
  pipelines: PipelinePlan[];
}
