// From a compiled pipeline (lang/plan.ts) to simulated runs: its models as NetworkSpecs (through a resolver
// the caller supplies: zoo + device profile, or profiled files), its arrivals, and one run per sweep point.
import type { ArrivalsPlan, ModelPlan, PipelinePlan, RunSettings } from "../../lang/plan.ts";
import type { RunReport } from "../report/types.ts";
import { expandArrivals } from "./arrivals.ts";
import type { NetworkSpec } from "./network.ts";
import type { Admission, PolicyFactory } from "./policy.ts";
import type { DeviceModel } from "./device-model.ts";
import { SchedulingError } from "./engine.ts";
import { type Scenario, simulate, type TileRequest } from "./simulate.ts";
import { defaultGranularity, type Granularity, type Units, unitsFor, unitsKey, weightsOf } from "./units.ts";

/** Gives a model's NetworkSpec (its layers' bytes and times) and, optionally, a tiler for it. */
export interface ModelResolver {
  /** Its layers, or its units (consecutive layers merged, larger ones tiled: ./units.ts). */
  network(model: ModelPlan, units?: Units): NetworkSpec;
  tile?: TileRequest;
  /** The device profile's name, for reports. */
  profile?: string;
  /** The device the profile was measured on (storage bandwidth, cores), for the simulator's device model. */
  device?: DeviceModel;
}

/** `seed` replaces the arrivals' seed (random gaps and picks) when given. */
export function reseedArrivals(plan: ArrivalsPlan, seed: number | undefined): ArrivalsPlan {
  if (seed === undefined) return plan;
  const out = { ...plan } as ArrivalsPlan;
  if (out.kind === "normal" || out.kind === "poisson") out.seed = seed;
  if (out.pick) out.pick = { ...out.pick, seed };
  return out;
}

/** The seed a pipeline's arrivals use (0 when nothing random). */
export function arrivalsSeed(plan: ArrivalsPlan): number {
  return plan.kind === "normal" || plan.kind === "poisson" ? plan.seed : (plan.pick?.seed ?? 0);
}

/** The pipeline as a scenario: its networks in layers, or in `units` (then `layerNetworks` keeps the layers). */
export function pipelineScenario(pipeline: PipelinePlan, resolver: ModelResolver, seed?: number, units: Units = {}): Scenario {
  const specs = (u: Units) =>
    pipeline.models.map((model) => {
      const spec = resolver.network(model, u);
      return spec.name === model.name ? spec : { ...spec, name: model.name };
    });
  const networks = specs(units);
  const scenario: Scenario = { pipeline: pipeline.name, networks, arrivals: expandArrivals(reseedArrivals(pipeline.arrivals, seed), networks.length) };
  if (units.mergeBytes !== undefined || units.capBytes !== undefined) scenario.layerNetworks = specs({});
  return scenario;
}

export interface SweepOptions {
  /** Replaces the arrivals' seed. */
  seed?: number;
  admission?: Admission;
  sessionOverheadBytes?: number;
  /** Policies by name (default: stdlib/policies). */
  policies: (name: string) => PolicyFactory | undefined;
  /** The steps' unit (default: the policy's own, as real runs: runtime/schedule/units.ts). */
  granularity?: Granularity;
}

/** A run's budget on a device of known memory: none beyond it (E_DEVICE_MEMORY), the device's memory when none is given. */
function deviceBudget(budgetBytes: number | null, device: DeviceModel | undefined): number | null {
  const memory = device?.memoryBytes;
  if (memory === undefined) return budgetBytes;
  if (budgetBytes === null) return memory;
  if (budgetBytes > memory) {
    throw new SchedulingError(`a budget of ${budgetBytes} bytes does not fit the device's ${memory} bytes of memory (the profile's limit)`, "E_DEVICE_MEMORY");
  }
  return budgetBytes;
}

/** Simulates every sweep point in `runs` (default: the pipeline's own), in order. */
export function simulatePipeline(pipeline: PipelinePlan, resolver: ModelResolver, options: SweepOptions, runs: RunSettings[] = pipeline.runs): RunReport[] {
  const scenarios = new Map<string, Scenario>();
  const seed = options.seed ?? arrivalsSeed(pipeline.arrivals);
  let weights: number | undefined;
  return runs.map((settings) => {
    const policy = options.policies(settings.policy);
    if (!policy) throw new SchedulingError(`unknown policy '${settings.policy}'`, "E_POLICY");
    const units = unitsFor(options.granularity ?? defaultGranularity(settings.policy), settings.memoryBytes, (weights ??= weightsOf(pipeline.models.map((model) => resolver.network(model, {})))));
    const key = unitsKey(units);
    let scenario = scenarios.get(key);
    if (!scenario) scenarios.set(key, (scenario = pipelineScenario(pipeline, resolver, options.seed, units)));
    return simulate(scenario, {
      policy,
      workers: settings.workers,
      memoryBudgetBytes: deviceBudget(settings.memoryBytes, resolver.device),
      admission: options.admission,
      sessionOverheadBytes: options.sessionOverheadBytes,
      tile: resolver.tile,
      seed,
      profile: resolver.profile,
      ...(resolver.device ? { device: resolver.device } : {}),
    });
  });
}
