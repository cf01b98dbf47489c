// What the scheduler knows about one network: its layers' bytes, activation edges and step durations.
// Built by hand (tests), from LayerInfo + a device profile (./from-layers.ts), or from any other source.

/** One layer: a load (its weights) and an exec (its outputs), with the times a device takes for them. */
export interface LayerSpec {
  name: string;
  weightsBytes: number;
  /** Bytes of the layer's outputs (held from its exec's start until its last consumer's exec ends). */
  activationBytes: number;
  /** Transient bytes the exec holds while it runs (intermediate tensors, kernel scratch): reserved at its
   * start and given back when it ends. Default 0. */
  execWorkspaceBytes?: number;
  /** Producer layer indexes this layer reads; -1 is the network input. Producers come earlier. */
  inputs: number[];
  loadMs: number;
  execMs: number;
  /** memory-heavy: loading dominates; compute-heavy: executing dominates. */
  heavy: "memory" | "compute";
}

export interface NetworkSpec {
  name: string;
  /** In execution order: layer i executes after layer i-1 in every policy. */
  layers: LayerSpec[];
  /** The network input made by the init step. */
  inputBytes: number;
  initMs: number;
  /** DeepEye's split: layers [0, convLayers) are "conv", the rest "fc". Default: all conv. */
  convLayers?: number;
  /** MASA's shortest-network-first key (EdgeCaffe's `mean-execution-time`). Default: Σ execMs. */
  meanExecMs?: number;
  /** EdgeCaffe's per-network INIT reservation (`max-memory-valgrind`), for `admission: "edgecaffe"`. */
  declaredPeakBytes?: number;
}

/** Facts derived once per network: who consumes what, and how long activations live. */
export interface NetworkFacts {
  spec: NetworkSpec;
  /** lastConsumer[p]: index of the last layer reading layer p's outputs; -1 when none (a graph output). */
  lastConsumer: number[];
  /** Last layer reading the network input; -1 when none. */
  inputLastConsumer: number;
  /** Bytes of activations live while layer i executes (its inputs still needed and its own outputs), network input included. */
  liveActivationBytes: number[];
  totalWeightsBytes: number;
  totalLoadMs: number;
  totalExecMs: number;
}

/** Checks a spec and derives its facts; throws a one-line Error naming the network and layer. */
export function networkFacts(spec: NetworkSpec): NetworkFacts {
  const n = spec.layers.length;
  if (n === 0) throw new Error(`network ${spec.name}: no layers`);
  const where = (i: number) => `network ${spec.name}, layer ${i} (${spec.layers[i]!.name})`;
  const lastConsumer = new Array<number>(n).fill(-1);
  let inputLastConsumer = -1;
  let totalWeightsBytes = 0;
  let totalLoadMs = 0;
  let totalExecMs = 0;
  spec.layers.forEach((layer, i) => {
    for (const [field, value] of [
      ["weightsBytes", layer.weightsBytes],
      ["activationBytes", layer.activationBytes],
      ["loadMs", layer.loadMs],
      ["execMs", layer.execMs],
      ["execWorkspaceBytes", layer.execWorkspaceBytes ?? 0],
    ] as const) {
      if (!Number.isFinite(value) || value < 0) throw new Error(`${where(i)}: ${field} must be a finite number >= 0, got ${value}`);
    }
    for (const p of layer.inputs) {
      if (!Number.isInteger(p) || p < -1 || p >= i) throw new Error(`${where(i)}: input ${p} must be -1 or an earlier layer`);
      if (p === -1) inputLastConsumer = i;
      else lastConsumer[p] = i;
    }
    totalWeightsBytes += layer.weightsBytes;
    totalLoadMs += layer.loadMs;
    totalExecMs += layer.execMs;
  });
  const c = spec.convLayers ?? n;
  if (!Number.isInteger(c) || c < 1 || c > n) throw new Error(`network ${spec.name}: convLayers must be 1..${n}, got ${c}`);
  // Sweep: +outputs at the producer, -outputs after the last consumer (graph outputs stay to the end).
  const liveActivationBytes: number[] = [];
  const releaseAfter = new Array<number>(n).fill(0);
  let live = spec.inputBytes;
  if (inputLastConsumer >= 0) releaseAfter[inputLastConsumer]! += spec.inputBytes;
  for (let i = 0; i < n; i++) {
    const layer = spec.layers[i]!;
    live += layer.activationBytes;
    if (lastConsumer[i]! >= 0) releaseAfter[lastConsumer[i]!]! += layer.activationBytes;
    liveActivationBytes.push(live);
    live -= releaseAfter[i]!;
  }
  return { spec, lastConsumer, inputLastConsumer, liveActivationBytes, totalWeightsBytes, totalLoadMs, totalExecMs };
}

/** A layer of a chain network, before its edges are known. */
export interface ChainLayer {
  name?: string;
  weightsBytes: number;
  activationBytes: number;
  loadMs: number;
  execMs: number;
  heavy?: "memory" | "compute";
}

/** A chain network (each layer reads the previous one): the shape EdgeCaffe's Caffe nets have. */
export function chainNetwork(
  name: string,
  layers: ChainLayer[],
  options: Partial<Pick<NetworkSpec, "inputBytes" | "initMs" | "convLayers" | "meanExecMs" | "declaredPeakBytes">> = {},
): NetworkSpec {
  const spec: NetworkSpec = {
    name,
    inputBytes: options.inputBytes ?? 0,
    initMs: options.initMs ?? 0,
    layers: layers.map((layer, i) => ({
      name: layer.name ?? `l${i}`,
      weightsBytes: layer.weightsBytes,
      activationBytes: layer.activationBytes,
      inputs: [i - 1],
      loadMs: layer.loadMs,
      execMs: layer.execMs,
      heavy: layer.heavy ?? (layer.loadMs > layer.execMs ? "memory" : "compute"),
    })),
  };
  if (options.convLayers !== undefined) spec.convLayers = options.convLayers;
  if (options.meanExecMs !== undefined) spec.meanExecMs = options.meanExecMs;
  if (options.declaredPeakBytes !== undefined) spec.declaredPeakBytes = options.declaredPeakBytes;
  return spec;
}
