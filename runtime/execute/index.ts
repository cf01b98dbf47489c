// Real execution of a compiled pipeline: its models split into layers, its inputs made, then each sweep
// point run on onnxruntime-node in worker threads (or the plain baseline loop), RunReports back.
// The main thread of a scheduled run only dispatches, and its memory before the first load is part of the
// device's (the report's baselineRssBytes), so what only some runs need is imported when needed: the splitter
// (protobuf, onnxruntime) on a split-cache miss, jimp for image inputs, the baseline loop (onnxruntime on
// this thread) for --baseline. test/runtime/execute/main-thread.test.ts checks it.
import type { ModelPlan, PipelinePlan, RunSettings } from "../../lang/plan.ts";
import { CAFFE_IMAGENET_MEAN_BGR, imageTensor } from "../host/image.ts";
import type { TensorData, TensorPayload } from "../host/session-protocol.ts";
import type { SessionPool } from "../host/workers.ts";
import { seededInputs } from "../model/seeded-inputs.ts";
import { splitModelCached as splitModel } from "../model/split-cache.ts";
import type { SplitModel } from "../model/types.ts";
import type { Plugins } from "../plugins.ts";
import type { RunReport } from "../report/types.ts";
import { expandArrivals } from "../schedule/arrivals.ts";
import type { NetworkSpec } from "../schedule/network.ts";
import { arrivalsSeed, reseedArrivals } from "../schedule/pipeline.ts";
import type { Admission, PolicyFactory } from "../schedule/policy.ts";
import { SchedulingError } from "../schedule/engine.ts";
import { fitAsync, type TileAsk } from "../schedule/fit.ts";
import { defaultGranularity, type Granularity, type Units, unitsFor, unitsKey, weightsOf } from "../schedule/units.ts";
import type { BaselineKind } from "./baseline-kinds.ts";
import type { RealNetwork } from "./executor.ts";
import { networkSpecOf } from "./layer-specs.ts";
import { type Progress, REAL_SESSION_OVERHEAD_BYTES, runRealScenario, type RealScenario } from "./real-run.ts";
import { resolveSessionSettings, type SessionRecord } from "./session-options.ts";
import { RunInterrupted } from "./interrupt.ts";

export { SessionOptionError, parseSessionFlag } from "./session-options.ts";
export type { Progress } from "./real-run.ts";

/** What a real run takes from the plug-ins: the policies, and the zoo for networks named rather than given as files. */
export type RealPlugins = Pick<Plugins, "policyByName" | "zoo">;

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
  /**
   * Unit of a real run's steps: "layers" (one session per layer, EdgeCaffe's unit), "merged" (consecutive
   * layers combined while their weights stay within a size chosen from the budget, see mergeBytesFor), or a
   * byte count to merge up to. Default: "merged" for `mema`, "layers" for the others (EdgeCaffe's policies
   * are defined on layers).
   */
  granularity?: Granularity;
}

/** A pipeline ready to run for real: models split, inputs made. */
export interface RealPipeline {
  pipeline: PipelinePlan;
  networks: RealNetwork[];
  specs: NetworkSpec[];
  /** One sweep point, scheduled by its policy on the worker pool. */
  run(settings: RunSettings, options?: RealOptions): Promise<RunReport>;
  /**
   * What `run(settings)` would split and cache (its units, the tiles its budget asks for), without running:
   * `--emulate` does this outside the device's cgroup, where splitting a large model cannot be OOM-killed.
   */
  prepare(settings: RunSettings, options?: RealOptions): Promise<void>;
  /** A plain onnxruntime-node loop on the main thread (no scheduler), for comparison: `kind` says which (baseline.ts). */
  baseline(options?: RealOptions & { kind?: BaselineKind }): Promise<RunReport>;
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

function isClassifier(model: ModelPlan, split: SplitModel, zoo: RealPlugins["zoo"]): boolean {
  if (model.source.kind === "zoo") return zoo.info(model.source.network).task === "classification";
  const out = split.outputs[0];
  return split.outputs.length === 1 && !!out && out.shape.filter((d) => d > 1).length === 1;
}

/** Output features of a layer (channel axis 1 of its first output), or 0 when it has none to cut. */
function featuresOf(layer: SplitModel["layers"][number]): number {
  return layer.outputs[0]?.shape[1] ?? 0;
}

/**
 * The largest cap <= `capBytes` that cuts every layer over it into tiles of whole 16-feature blocks.
 * onnxruntime's kernels finish a row of outputs that is not a multiple of their block width with another
 * code path whose last bits differ (measured: agenet's fc6 cut into tiles of 171 of its 512 features changed
 * the answer; 128 did not). The splitter cuts a layer into count = ceil(features / floor(cap / bytes per
 * feature)) even tiles of ceil(features / count) features.
 */
function alignedCap(model: SplitModel, capBytes: number): number {
  const facts = (cap: number) =>
    model.layers.filter((l) => l.weightsBytes > cap && featuresOf(l) >= 16).map((l) => ({ features: featuresOf(l), perFeature: l.weightsBytes / featuresOf(l) }));
  const aligned = (cap: number) =>
    facts(cap).every(({ features, perFeature }) => {
      const perTile = Math.floor(cap / perFeature);
      if (perTile < 1) return false;
      const even = Math.ceil(features / Math.ceil(features / perTile));
      return even % 16 === 0 && features % 16 === 0;
    });
  const candidates = new Set<number>();
  for (const { features, perFeature } of facts(capBytes)) {
    for (let count = 1; count <= features / 16; count++) {
      const even = Math.ceil(features / count);
      if (even % 16 === 0) candidates.add(Math.floor((even + 0.5) * perFeature));
    }
  }
  for (const cap of [...candidates].sort((a, b) => b - a)) if (cap <= capBytes && aligned(cap)) return cap;
  return capBytes;
}

/** Tiles that are not whole 16-feature blocks, for a check after splitting. */
function unalignedTiles(model: SplitModel): string[] {
  return model.layers.filter((l) => l.tile && l.tile.index < l.tile.count && featuresOf(l) % 16 !== 0).map((l) => l.name);
}

/** Splits every model of the pipeline (cached) and makes its input. */
export async function prepareReal(pipeline: PipelinePlan, plugins: RealPlugins, options: RealOptions = {}): Promise<RealPipeline> {
  const networks: RealNetwork[] = [];
  const paths: string[] = [];
  for (const model of pipeline.models) {
    // Ctrl-C while preparing: the model in hand is finished (the zoo and the splitter write whole files), the rest not begun.
    if (options.signal?.aborted) throw new RunInterrupted("while preparing models");
    let path: string;
    if (model.source.kind === "zoo") {
      options.onStatus?.(`zoo: ${model.source.network}`);
      path = await plugins.zoo.modelPath(model.source.network);
    } else {
      path = model.source.path;
    }
    paths.push(path);
    options.onStatus?.(`splitting ${model.name}`);
    const split = await splitModel(path, { name: model.name, inputShapes: model.shapes });
    const whole = await splitModel(path, { name: model.name, inputShapes: model.shapes, granularity: "merged", mergeBytes: Number.MAX_SAFE_INTEGER });
    networks.push({
      name: model.name,
      model: split,
      input: await inputOf(model, split),
      classifier: isClassifier(model, split, plugins.zoo),
      ...(whole.layers.length === 1 && whole.layers[0]!.path ? { wholePath: whole.layers[0]!.path, wholeReads: whole.layers[0]!.reads ?? [] } : {}),
    });
  }
  if (options.signal?.aborted) throw new RunInterrupted("while preparing models");
  const specs = networks.map((n) => networkSpecOf(n.model, n.name));

  /** The networks per units (unitsKey), split once and reused by every run in those units. */
  const unitVariants = new Map<string, { nets: RealNetwork[]; specs: NetworkSpec[] }>();
  /**
   * The networks in `units`: layers merged up to `mergeBytes`, layers over `capBytes` cut into tiles (the cap
   * aligned per network on whole 16-feature blocks, see alignedCap).
   */
  const inUnits = async (units: Units, runOptions: RealOptions) => {
    const key = unitsKey(units);
    let variant = unitVariants.get(key);
    if (!variant) {
      const nets: RealNetwork[] = [];
      for (const [i, model] of pipeline.models.entries()) {
        runOptions.onStatus?.(`merging ${model.name}: units of at most ${units.mergeBytes} bytes`);
        const layered = networks[i]!.model;
        const tiles = units.capBytes !== undefined && layered.layers.some((l) => l.weightsBytes > units.capBytes!);
        const split = await splitModel(paths[i]!, {
          name: model.name,
          inputShapes: model.shapes,
          ...(units.mergeBytes !== undefined ? { granularity: "merged" as const, mergeBytes: units.mergeBytes } : {}),
          ...(tiles ? { capBytes: alignedCap(layered, units.capBytes!) } : {}),
        });
        nets.push({ ...networks[i]!, model: split });
      }
      variant = { nets, specs: nets.map((n) => networkSpecOf(n.model, n.name)) };
      unitVariants.set(key, variant);
    }
    return variant;
  };

  /**
   * The networks fitted to the budget (runtime/schedule/fit.ts): each layer the scheduler asks to tile is
   * split again from its model file with a cap of at most half the network's largest layer, aligned on whole
   * 16-feature blocks. Tiles are real layer files, so the run executes exactly what the ledger accounted.
   */
  const fitted = async (
    policy: PolicyFactory,
    settings: RunSettings,
    runOptions: RealOptions,
    arrivals: RealScenario["arrivals"],
    units: Units,
  ) => {
    const mergeBytes = units.mergeBytes;
    const start = mergeBytes === undefined && units.capBytes === undefined ? { nets: networks, specs } : await inUnits(units, runOptions);
    const nets = start.nets.slice();
    const tile = async (ask: TileAsk): Promise<NetworkSpec | null> => {
      const model = pipeline.models[ask.network]!;
      const before = Math.max(...nets[ask.network]!.model.layers.map((l) => l.weightsBytes));
      // Merged units are not layers: align the cap on the network's layers.
      const layered = mergeBytes === undefined ? nets[ask.network]!.model : networks[ask.network]!.model;
      const capBytes = alignedCap(layered, Math.floor(Math.min(ask.capBytes, before / 2)));
      if (capBytes < 1024) return null;
      runOptions.onStatus?.(`tiling ${model.name}: layers of at most ${capBytes} bytes`);
      const split = await splitModel(paths[ask.network]!, {
        name: model.name,
        inputShapes: model.shapes,
        capBytes,
        ...(mergeBytes === undefined ? {} : { granularity: "merged" as const, mergeBytes }),
      });
      const unaligned = unalignedTiles(split);
      if (unaligned.length > 0) runOptions.onStatus?.(`note: ${model.name}: tiles ${unaligned.join(", ")} are not whole 16-feature blocks; their last bits may differ from the whole model's`);
      if (Math.max(...split.layers.map((l) => l.weightsBytes)) >= before) return null;
      nets[ask.network] = { ...nets[ask.network]!, model: split };
      return networkSpecOf(split, model.name);
    };
    const fit = await fitAsync(
      start.specs,
      arrivals,
      policy(),
      {
        memoryBudgetBytes: settings.memoryBytes,
        admission: runOptions.admission,
        sessionOverheadBytes: runOptions.sessionOverheadBytes ?? REAL_SESSION_OVERHEAD_BYTES,
        // Each tile halves a layer at least: a dozen is as far as a layer usefully goes.
        maxTiles: 12,
      },
      tile,
    );
    return { nets, specs: fit.networks };
  };

  /** A sweep point's policy, arrivals and networks fitted to its budget (split and cached as needed). */
  const planned = async (settings: RunSettings, runOptions: RealOptions) => {
    const policy = plugins.policyByName(settings.policy);
    if (!policy) throw new SchedulingError(`unknown policy '${settings.policy}'`, "E_POLICY");
    const arrivals = expandArrivals(reseedArrivals(pipeline.arrivals, runOptions.seed), specs.length);
    const units = unitsFor(runOptions.granularity ?? defaultGranularity(settings.policy), settings.memoryBytes, weightsOf(specs));
    return { policy, arrivals, fit: await fitted(policy, settings, runOptions, arrivals, units) };
  };

  const prepared: RealPipeline = {
    pipeline,
    networks,
    specs,
    async prepare(settings, runOptions = options) {
      await planned(settings, runOptions);
    },
    async run(settings, runOptions = options) {
      const { policy, arrivals, fit } = await planned(settings, runOptions);
      const scenario: RealScenario = { pipeline: pipeline.name, networks: fit.specs, arrivals, real: fit.nets, layerNetworks: specs };
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
      const { runBaseline } = await import("./baseline.ts");
      return runBaseline(pipeline.name, networks, expandArrivals(reseedArrivals(pipeline.arrivals, runOptions.seed), networks.length), {
        // The same threads per session as the runs it is compared with (see defaultSessionSettings).
        kind: runOptions.kind ?? "naive",
        session: resolveSessionSettings(runOptions.workers ?? pipeline.sweep.workers[0] ?? 1, pipeline.session, runOptions.session),
        seed: runOptions.seed ?? arrivalsSeed(pipeline.arrivals),
        signal: runOptions.signal,
        onProgress: runOptions.onProgress,
      });
    },
  };
  return prepared;
}
