// Fitting a scenario to its budget: the step graph of its networks, with layers too large for the budget cut
// into tiles. The loop is written once here; it asks for each tile explicitly (it yields the request and is
// given the tiled network back), so the simulator answers at once from its device profile and a real run
// answers by splitting a model file again, asynchronously, with the same rule deciding what to ask.
import type { ArrivalSchedule } from "./arrivals.ts";
import { SchedulingError } from "./engine.ts";
import { buildStepGraph, type StepGraph } from "./graph.ts";
import type { NetworkSpec } from "./network.ts";
import type { Admission, Policy } from "./policy.ts";

/** A layer to cut into tiles of at most `capBytes` weights each; `spec` is the network as it stands (`networks[network]`). */
export interface TileAsk {
  network: number;
  spec: NetworkSpec;
  layer: number;
  capBytes: number;
}

export interface FitOptions {
  /** null = no budget. */
  memoryBudgetBytes: number | null;
  admission?: Admission;
  /** Bytes each loaded session costs besides its weights. */
  sessionOverheadBytes?: number;
  /** Whether the caller can tile at all; without a tiler a scenario that does not fit is refused at once. */
  tiles: boolean;
  /** Tiles asked for at most before the scenario is refused (default 64). */
  maxTiles?: number;
}

/** A scenario that fits: its networks (some tiled) and their step graph. */
export interface FittedRun {
  networks: NetworkSpec[];
  graph: StepGraph;
}

/**
 * The fitting loop. Builds the graph of `networks` under `policy`; while some admission unit peaks over the
 * budget at the load or exec of a layer, yields that layer with the cap that lets the step fit (the budget
 * less what else is held then), and goes on with the network it is given back. Given null (the caller cannot
 * tile it smaller), or when the peak is at a step tiling cannot help (an init, a whole-network step), it
 * throws SchedulingError E_TOO_BIG naming the network, the step and the bytes.
 */
export function* fitting(
  scenarioNetworks: readonly NetworkSpec[],
  arrivals: ArrivalSchedule,
  policy: Policy,
  options: FitOptions,
): Generator<TileAsk, FittedRun, NetworkSpec | null | undefined> {
  const networks = scenarioNetworks.slice();
  const budget = options.memoryBudgetBytes;
  const maxTiles = options.maxTiles ?? 64;
  for (let asked = 0; ; asked++) {
    const graph = buildStepGraph(networks, arrivals.arrivals.map((a) => a.networks), {
      mode: policy.graph,
      chain: policy.chain,
      sessionOverheadBytes: options.sessionOverheadBytes ?? 0,
    });
    // EdgeCaffe's admission gates no load, so nothing is refused (or tiled): the budget may be passed.
    if (budget === null || options.admission === "edgecaffe") return { networks, graph };
    const unit = graph.units.find((u) => u.suffixPeakBytes[0]! > budget);
    if (!unit) return { networks, graph };
    // The step at which the unit peaks names the culprit.
    const peak = unit.suffixPeakBytes[0]!;
    const step = graph.steps[unit.canonical[unit.peakBytes.indexOf(peak)]!]!;
    const inst = graph.instances[step.instance]!;
    const spec = networks[inst.network]!;
    const tileable = options.tiles && step.layer >= 0 && (step.kind === "load" || step.kind === "exec");
    if (tileable && asked < maxTiles) {
      const capBytes = budget - (peak - spec.layers[step.layer]!.weightsBytes);
      const tiled = capBytes > 0 ? yield { network: inst.network, spec, layer: step.layer, capBytes } : null;
      if (tiled && tiled !== spec) {
        networks[inst.network] = tiled;
        continue;
      }
    }
    const what = step.kind === "init" ? "init" : `${step.kind} of ${step.layer >= 0 ? `layer ${step.layerName}` : "the whole network"}`;
    const detail = step.layer >= 0 ? ` (layer weights ${spec.layers[step.layer]!.weightsBytes} bytes)` : "";
    const hint =
      policy.graph === "bulk"
        ? " (it loads whole networks; a layer-wise policy such as partial or mema can run this)"
        : policy.graph.startsWith("deepeye")
          ? " (DeepEye loads every conv layer of an arrival before the first conv exec)"
          : "";
    throw new SchedulingError(
      `network ${inst.name}, ${what}${detail}: policy ${policy.name} needs ${peak} bytes at that step, more than the budget of ${budget} bytes${tileable ? " even tiled" : ""}${hint}`,
      "E_TOO_BIG",
    );
  }
}

/** The fitting loop with a tiler that answers at once (null: it cannot). */
export function fitNow(
  networks: readonly NetworkSpec[],
  arrivals: ArrivalSchedule,
  policy: Policy,
  options: Omit<FitOptions, "tiles">,
  tile?: (ask: TileAsk) => NetworkSpec | null,
): FittedRun {
  const loop = fitting(networks, arrivals, policy, { ...options, tiles: tile !== undefined });
  let next = loop.next();
  while (!next.done) next = loop.next(tile!(next.value));
  return next.value;
}

/** The fitting loop with a tiler that answers later (a real run splits a model file). */
export async function fitAsync(
  networks: readonly NetworkSpec[],
  arrivals: ArrivalSchedule,
  policy: Policy,
  options: Omit<FitOptions, "tiles">,
  tile: (ask: TileAsk) => Promise<NetworkSpec | null>,
): Promise<FittedRun> {
  const loop = fitting(networks, arrivals, policy, { ...options, tiles: true });
  let next = loop.next();
  while (!next.done) next = loop.next(await tile(next.value));
  return next.value;
}
