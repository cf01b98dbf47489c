// The step graph of a run: per network instance an init, per layer a load, an exec and a free, with the
// dependency edges of EdgeCaffe's loading modes (../../shared/reference/edgecaffe.md §2) and the bytes
// each step reserves in the memory ledger and each free releases.
import { type NetworkFacts, networkFacts, type NetworkSpec } from "./network.ts";

/** How a network's steps are wired (EdgeCaffe's task-graph builders). */
export type GraphMode = "bulk" | "linear" | "partial" | "deepeye" | "deepeye-frugal";

export type StepKind = "init" | "load" | "exec" | "free";

/** Bytes a free step gives back, and which step reserved them. */
export interface Release {
  stepId: number;
  bytes: number;
}

export interface Step {
  /** Index in `StepGraph.steps`. */
  id: number;
  /** EdgeCaffe's global task id (creation order of init/load/exec; FCFS and MASA tie-breaks use it). Free steps: -1. */
  taskId: number;
  kind: StepKind;
  /** Index in `StepGraph.instances`. */
  instance: number;
  /** Admission unit (a network instance; for DeepEye, all networks of one arrival): see ./admission.ts. */
  unit: number;
  /** Layer index in the network's spec; -1 for init and for whole-network (bulk) steps. */
  layer: number;
  /** Layer name for reports: "" for init, "*" for whole-network steps. */
  layerName: string;
  /** Ready pool the step waits in (DeepEye: 0 = init + conv, 1 = fc; others 0). */
  pool: number;
  /** Duration on the simulator's clock. */
  durationMs: number;
  /** Bytes reserved in the ledger when the step starts. */
  reserveBytes: number;
  /** Free steps: what they give back. */
  releases: Release[];
  deps: number[];
  dependents: number[];
}

/**
 * The key of the session an instance's steps of `layer` (-1: the whole network) share: its load creates it,
 * its exec runs in it, its free releases it. The engine finds a step's load by it, a real run the lane that
 * session lives on.
 */
export function sessionKey(instance: number, layer: number): string {
  return `${instance}/${layer}`;
}

/** One network instance: one arrival of one network. */
export interface Instance {
  index: number;
  /** Index of the network in the scenario's `networks`. */
  network: number;
  name: string;
  /** Which arrival of that network name (0-based). */
  perName: number;
  /** Which arrival (0-based) brought it. */
  arrival: number;
  unit: number;
  initStep: number;
  /** The exec step ending the network: its completion ends the instance (and the bulk/linear chain edge points at it). */
  lastExec: number;
  steps: number[];
}

/** A set of instances admitted and accounted together (./admission.ts), with its canonical sequential order. */
export interface Unit {
  index: number;
  instances: number[];
  /** All steps of the unit in a sequential order that respects every edge inside the unit. */
  canonical: number[];
  /** peakBytes[p]: what the unit holds while canonical[p] runs, when run one step at a time in this order. */
  peakBytes: number[];
  /** suffixPeakBytes[p] = max(peakBytes[p..]): the most it holds from position p on. */
  suffixPeakBytes: number[];
}

export interface StepGraph {
  mode: GraphMode;
  networks: NetworkFacts[];
  steps: Step[];
  instances: Instance[];
  units: Unit[];
  /** arrivals[a] = the instances arrival a brings, in list order. */
  arrivals: number[][];
}

export interface GraphOptions {
  mode: GraphMode;
  /** Bulk/linear/execprio-inter: each network's init waits for the previous network's last exec. */
  chain: boolean;
  /** Per-session bytes counted with each load (a session per layer; one per network in bulk). */
  sessionOverheadBytes?: number;
}

/** Builds the step graph of `arrivals` (each a list of indexes into `networks`). */
export function buildStepGraph(networks: NetworkSpec[], arrivals: number[][], options: GraphOptions): StepGraph {
  const facts = networks.map(networkFacts);
  const overhead = options.sessionOverheadBytes ?? 0;
  const steps: Step[] = [];
  const instances: Instance[] = [];
  const units: Unit[] = [];
  const perNameCount = new Map<string, number>();
  let taskCounter = 0;
  let previousLastExec = -1;
  const arrivalInstances: number[][] = [];

  const edge = (from: number, to: number) => {
    steps[to]!.deps.push(from);
    steps[from]!.dependents.push(to);
  };

  arrivals.forEach((arrivalNetworks, arrivalIndex) => {
    const deepeye = options.mode === "deepeye" || options.mode === "deepeye-frugal";
    let unit = -1;
    const newUnit = () => {
      units.push({ index: units.length, instances: [], canonical: [], peakBytes: [], suffixPeakBytes: [] });
      return units.length - 1;
    };
    if (deepeye) unit = newUnit();
    const inArrival: number[] = [];
    for (const networkIndex of arrivalNetworks) {
      const net = facts[networkIndex];
      if (!net) throw new Error(`arrival ${arrivalIndex}: no network ${networkIndex}`);
      if (!deepeye) unit = newUnit();
      const spec = net.spec;
      const perName = perNameCount.get(spec.name) ?? 0;
      perNameCount.set(spec.name, perName + 1);
      const instance: Instance = {
        index: instances.length,
        network: networkIndex,
        name: spec.name,
        perName,
        arrival: arrivalIndex,
        unit,
        initStep: -1,
        lastExec: -1,
        steps: [],
      };
      instances.push(instance);
      units[unit]!.instances.push(instance.index);
      inArrival.push(instance.index);
      const fcStart = deepeye ? (spec.convLayers ?? spec.layers.length) : spec.layers.length;
      const add = (kind: StepKind, layer: number, durationMs: number, reserveBytes: number): number => {
        const id = steps.length;
        steps.push({
          id,
          taskId: kind === "free" ? -1 : taskCounter++,
          kind,
          instance: instance.index,
          unit,
          layer,
          layerName: kind === "init" ? "" : layer < 0 ? "*" : spec.layers[layer]!.name,
          pool: layer >= fcStart ? 1 : 0,
          durationMs,
          reserveBytes,
          releases: [],
          deps: [],
          dependents: [],
        });
        instance.steps.push(id);
        return id;
      };
      const init = add("init", -1, spec.initMs, spec.inputBytes);
      instance.initStep = init;
      if (options.chain && previousLastExec >= 0) edge(previousLastExec, init);

      if (options.mode === "bulk") {
        // One session runs every layer: its activations at their peak plus the largest layer's scratch.
        const peakActivations = Math.max(
          0,
          ...net.liveActivationBytes.map((b, i) => b - spec.inputBytes + (spec.layers[i]!.execWorkspaceBytes ?? 0)),
        );
        const load = add("load", -1, net.totalLoadMs, net.totalWeightsBytes + overhead);
        const exec = add("exec", -1, net.totalExecMs, peakActivations);
        const free = add("free", -1, 0, 0);
        edge(init, load);
        edge(load, exec);
        edge(exec, free);
        steps[free]!.releases.push(
          { stepId: init, bytes: spec.inputBytes },
          { stepId: load, bytes: net.totalWeightsBytes + overhead },
          { stepId: exec, bytes: peakActivations },
        );
        instance.lastExec = exec;
      } else {
        const n = spec.layers.length;
        const loads: number[] = [];
        const execs: number[] = [];
        const frees: number[] = [];
        for (let i = 0; i < n; i++) {
          const layer = spec.layers[i]!;
          loads.push(add("load", i, layer.loadMs, layer.weightsBytes + overhead));
          const workspace = layer.execWorkspaceBytes ?? 0;
          execs.push(add("exec", i, layer.execMs, layer.activationBytes + workspace));
          frees.push(add("free", i, 0, 0));
          edge(execs[i]!, frees[i]!);
          steps[frees[i]!]!.releases.push({ stepId: loads[i]!, bytes: layer.weightsBytes + overhead });
          // The exec's scratch ends with it: its free (which follows it at once) gives it back.
          if (workspace > 0) steps[frees[i]!]!.releases.push({ stepId: execs[i]!, bytes: workspace });
        }
        // Activations go back with the free after their last consumer; graph outputs with the last free.
        const releaseAt = (consumer: number) => (consumer >= 0 ? frees[consumer]! : frees[n - 1]!);
        steps[releaseAt(net.inputLastConsumer)]!.releases.push({ stepId: init, bytes: spec.inputBytes });
        for (let i = 0; i < n; i++) {
          steps[releaseAt(net.lastConsumer[i]!)]!.releases.push({ stepId: execs[i]!, bytes: spec.layers[i]!.activationBytes });
        }
        if (options.mode === "linear") {
          for (let i = 0; i < n; i++) {
            edge(i === 0 ? init : execs[i - 1]!, loads[i]!);
            edge(loads[i]!, execs[i]!);
          }
        } else if (options.mode === "partial") {
          for (let i = 0; i < n; i++) {
            edge(init, loads[i]!);
            edge(i === 0 ? init : execs[i - 1]!, execs[i]!);
            edge(loads[i]!, execs[i]!);
          }
        } else {
          // DeepEye (createTasksConvFCV2): conv loads chained on pool 0, conv execs chained with no edge to
          // their own loads (the arrival edges below supply it), fc loads chained on pool 1.
          const c = fcStart;
          for (let i = 0; i < c; i++) {
            edge(i === 0 ? init : loads[i - 1]!, loads[i]!);
            if (i > 0) edge(execs[i - 1]!, execs[i]!);
          }
          for (let i = c; i < n; i++) {
            edge(i === c ? init : loads[i - 1]!, loads[i]!);
            if (i === c) {
              edge(loads[c]!, execs[c]!);
              edge(execs[c - 1]!, execs[c]!);
              if (n - 1 !== c) edge(loads[n - 1]!, execs[c]!);
            } else {
              edge(loads[i]!, execs[i]!);
              edge(execs[i - 1]!, execs[i]!);
            }
          }
        }
        instance.lastExec = execs[n - 1]!;
      }
      previousLastExec = instance.lastExec;
    }
    if (deepeye) wireDeepEyeArrival(steps, instances, facts, inArrival, options.mode === "deepeye-frugal", edge);
    arrivalInstances.push(inArrival);
  });

  const waiting = new Int32Array(steps.length);
  for (const unit of units) orderUnit(unit, steps, instances, waiting);
  return { mode: options.mode, networks: facts, steps, instances, units, arrivals: arrivalInstances };
}

/** The edges between the networks of one DeepEye arrival (reference §2, "Edges between the networks"). */
function wireDeepEyeArrival(
  steps: Step[],
  instances: Instance[],
  facts: NetworkFacts[],
  inArrival: number[],
  frugal: boolean,
  edge: (from: number, to: number) => void,
) {
  // Per instance: its layer steps by kind, found from its own step list.
  const layerStep = (inst: Instance, kind: StepKind, layer: number) =>
    inst.steps.find((id) => steps[id]!.kind === kind && steps[id]!.layer === layer)!;
  const convCount = (inst: Instance) => facts[inst.network]!.spec.convLayers ?? facts[inst.network]!.spec.layers.length;
  const layerCount = (inst: Instance) => facts[inst.network]!.spec.layers.length;
  const k = inArrival.length;
  const first = instances[inArrival[0]!]!;
  const last = instances[inArrival[k - 1]!]!;
  edge(layerStep(last, "load", convCount(last) - 1), layerStep(first, "exec", 0));
  let previousWithFc: Instance | null = convCount(first) < layerCount(first) ? first : null;
  for (let j = 1; j < k; j++) {
    const prev = instances[inArrival[j - 1]!]!;
    const cur = instances[inArrival[j]!]!;
    edge(layerStep(prev, "load", convCount(prev) - 1), cur.initStep);
    edge(layerStep(prev, "exec", convCount(prev) - 1), layerStep(cur, "exec", 0));
    const c = convCount(cur);
    if (c < layerCount(cur)) {
      if (previousWithFc) {
        const n = layerCount(previousWithFc);
        edge(layerStep(previousWithFc, "load", n - 1), layerStep(cur, "load", c));
        if (frugal) edge(layerStep(previousWithFc, "exec", n - 1), layerStep(cur, "load", c));
      }
      previousWithFc = cur;
    }
  }
}

/**
 * Orders a unit's steps sequentially (Kahn: frees first, then the lowest task id; edges from other units
 * count as met) and computes, for every position, what the unit holds when run step by step in that order.
 * `waiting` is scratch space over all steps (its entries for this unit are overwritten).
 */
function orderUnit(unit: Unit, steps: Step[], instances: Instance[], waiting: Int32Array) {
  const ready: number[] = [];
  let members = 0;
  for (const i of unit.instances) {
    for (const s of instances[i]!.steps) {
      members++;
      let inside = 0;
      for (const d of steps[s]!.deps) if (steps[d]!.unit === unit.index) inside++;
      waiting[s] = inside;
      if (inside === 0) ready.push(s);
    }
  }
  const key = (s: number) => (steps[s]!.kind === "free" ? -1 : steps[s]!.taskId);
  while (ready.length > 0) {
    let best = 0;
    for (let r = 1; r < ready.length; r++) if (key(ready[r]!) < key(ready[best]!)) best = r;
    const s = ready[best]!;
    ready[best] = ready[ready.length - 1]!;
    ready.pop();
    unit.canonical.push(s);
    for (const d of steps[s]!.dependents) {
      if (steps[d]!.unit !== unit.index) continue;
      if (--waiting[d]! === 0) ready.push(d);
    }
  }
  if (unit.canonical.length !== members) throw new Error(`unit ${unit.index}: dependency cycle`);
  // Peak at position q = held before q + what q reserves; frees lower the level after them.
  const n = unit.canonical.length;
  const peakAt = unit.peakBytes;
  let level = 0;
  for (const s of unit.canonical) {
    const step = steps[s]!;
    peakAt.push(level + step.reserveBytes);
    level += step.reserveBytes;
    for (const r of step.releases) level -= r.bytes;
  }
  unit.suffixPeakBytes = new Array<number>(n + 1).fill(0);
  for (let p = n - 1; p >= 0; p--) unit.suffixPeakBytes[p] = Math.max(peakAt[p]!, unit.suffixPeakBytes[p + 1]!);
}
