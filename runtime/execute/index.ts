// Real execution of a compiled pipeline: its models split into layers, its inputs made, then each sweep
// point run on onnxruntime-node in worker threads (or the plain baseline loop), RunReports back.
import type { ModelPlan, PipelinePlan, RunSettings } from "../../lang/plan.ts";
import { zooInfo, zooModelPath } from "../../stdlib/zoo/index.ts";
import { policyByName } from "../../stdlib/policies/index.ts";
import { CAFFE_IMAGENET_MEAN_BGR, imageTensor } from "../host/image.ts";
import type { TensorData, TensorPayload } from "../host/session-protocol.ts";
import type { SessionPool } from "../host/workers.ts";
import { seededInputs } from "../model/seeded-inputs.ts";
import { splitModel } from "../model/split.ts";
import type { SplitModel } from "../model/types.ts";
import type { RunReport } from "../report/types.ts";
import { expandArrivals } from "../schedule/arrivals.ts";
import type { NetworkSpec } from "../schedule/network.ts";
import { arrivalsSeed, reseedArrivals } from "../schedule/pipeline.ts";
import type { Admission } from "../schedule/policy.ts";
import { runBaseline } from "./baseline.ts";
import type { RealNetwork } from "./executor.ts";
import { networkSpecOf } from "./layer-specs.ts";
import { type Progress, runRealScenario, type RealScenario } from "./real-run.ts";
import { resolveSessionSettings, type SessionRecord } from "./session-options.ts";

export { SessionOptionError, parseSessionFlag } from "./session-options.ts";
export type { Progress } from "./real-run.ts";

export interface RealOptions {
  /** `--session key=value,...` on top of the pipeline's `session { }`. */
  session?: SessionRecord;
  /** Replaces the arrivals' seed. */
  seed?: number;
  admission?: Admission;
  /** Bytes the ledger counts per loaded session besides its weights. */
  sessionOverheadBytes?: number;
  /** Ctrl-C: no new steps; a partial report (interrupted: true) comes back. */
  signal?: AbortSignal;
  onProgress?(progress: Progress): void;
  /** What preparation is doing (zoo generation, splitting), for a status line. */
  onStatus?(message: string): void;
  /** Baseline only: the `workers` of the runs it is compared with (sets the threads per session). */
  workers?: number;
  /** Reuse one pool across runs (needs as many workers as the policy's lanes). */
  pool?: SessionPool;
}

/** A pipeline ready to run for real: models split, inputs made. */
export interface RealPipeline {
  pipeline: PipelinePlan;
  networks: RealNetwork[];
  specs: NetworkSpec[];
  /** One sweep point, scheduled by its policy on the worker pool. */
  run(settings: RunSettings, options?: RealOptions): Promise<RunReport>;
  /** The plain onnxruntime-node loop on the main thread (no scheduler), for comparison. */
  baseline(options?: RealOptions): Promise<RunReport>;
}

/** A file model takes an image as RGB scaled to [0, 1]; zoo (Caffe) models take BGR minus the ImageNet mean. */
async function inputOf(model: ModelPlan, split: SplitModel): Promise<Record<string, TensorPayload>> {
  if (model.input.kind === "image") {
    const first = split.inputs[0];
    if (!first || split.inputs.length !== 1) throw new Error(`model ${model.name}: an image input needs a network with exactly one input`);
    const zoo = model.source.kind === "zoo";
    const tensor = await imageTensor(model.input.path, {
      shape: first.shape,
      channels: zoo ? "bgr" : "rgb",
      mean: zoo ? CAFFE_IMAGENET_MEAN_BGR : undefined,
      scale: zoo ? 1 : 1 / 255,
    });
    return { [first.name]: tensor };
  }
  const values = seededInputs(split.inputs, model.input.seed);
  const out: Record<string, TensorPayload> = {};
  for (const [name, input] of Object.entries(values)) out[name] = { dtype: input.dtype, dims: input.dims, data: input.data as TensorData };
  return out;
}

function isClassifier(model: ModelPlan, split: SplitModel): boolean {
  if (model.source.kind === "zoo") return zooInfo(model.source.network).task === "classification";
  const out = split.outputs[0];
  return split.outputs.length === 1 && !!out && out.shape.filter((d) => d > 1).length === 1;
}

/** Splits every model of the pipeline (cached) and makes its input. */
export async function prepareReal(pipeline: PipelinePlan, options: RealOptions = {}): Promise<RealPipeline> {
  const networks: RealNetwork[] = [];
  for (const model of pipeline.models) {
    let path: string;
    if (model.source.kind === "zoo") {
      options.onStatus?.(`zoo: ${model.source.network}`);
      path = await zooModelPath(model.source.network);
    } else {
      path = model.source.path;
    }
    options.onStatus?.(`splitting ${model.name}`);
    const split = await splitModel(path, { name: model.name, inputShapes: model.shapes });
    networks.push({ name: model.name, model: split, input: await inputOf(model, split), classifier: isClassifier(model, split) });
  }
  const specs = networks.map((n) => networkSpecOf(n.model, n.name));
  const prepared: RealPipeline = {
    pipeline,
    networks,
    specs,
    async run(settings, runOptions = options) {
      const policy = policyByName(settings.policy);
      if (!policy) throw new Error(`unknown policy '${settings.policy}'`);
      const scenario: RealScenario = {
        pipeline: pipeline.name,
        networks: specs,
        arrivals: expandArrivals(reseedArrivals(pipeline.arrivals, runOptions.seed), specs.length),
        real: networks,
      };
      return runRealScenario(scenario, {
        policy,
        workers: settings.workers,
        memoryBudgetBytes: settings.memoryBytes,
        admission: runOptions.admission,
        sessionOverheadBytes: runOptions.sessionOverheadBytes,
        seed: runOptions.seed ?? arrivalsSeed(pipeline.arrivals),
        session: resolveSessionSettings(settings.workers, pipeline.session, runOptions.session),
        signal: runOptions.signal,
        onProgress: runOptions.onProgress,
        pool: runOptions.pool,
      });
    },
    async baseline(runOptions = options) {
      return runBaseline(pipeline.name, networks, expandArrivals(reseedArrivals(pipeline.arrivals, runOptions.seed), networks.length), {
        // The same threads per session as the runs it is compared with (see defaultSessionSettings).
        session: resolveSessionSettings(runOptions.workers ?? pipeline.sweep.workers[0] ?? 1, pipeline.session, runOptions.session),
        seed: runOptions.seed ?? arrivalsSeed(pipeline.arrivals),
        signal: runOptions.signal,
        onProgress: runOptions.onProgress,
      });
    },
  };
  return prepared;
}

/** Runs one sweep point of a pipeline for real (the entry `mema run` calls without --simulate). */
export async function runReal(pipeline: PipelinePlan, settings: RunSettings, options: RealOptions = {}): Promise<RunReport> {
  return (await prepareReal(pipeline, options)).run(settings, options);
}
