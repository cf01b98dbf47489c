// Device profiles: per-layer load and exec times of known networks on one device, and how the simulator reads
// them. Pure (no node: imports): the simulator uses this; `index.ts` adds reading profile files.
import type { LayerInfo } from "../../runtime/model/types.ts";

/** One measured (or estimated) unit of a network: a Caffe layer (rpi4) or a Mema layer (`mema profile`). */
export interface ProfileEntry {
  name: string;
  /** ONNX node names this entry covers; absent means `[name]` (a Caffe layer is one zoo node). */
  nodes?: string[];
  loadMs: number;
  execMs: number;
  /** True when the times come from the estimation model rather than a measurement. */
  estimated: boolean;
  weightsBytes?: number;
  /** Caffe layer type (rpi4) or the ONNX operators (measured here). */
  type?: string;
  flops?: number;
}

export interface NetworkProfile {
  /** EdgeCaffe's folder name, for rpi4. */
  caffeName?: string;
  /** Batch size the times were measured at (EdgeCaffe ran the prototxt's batch). */
  batch?: number;
  /** True when at least one entry was measured. */
  measured: boolean;
  /** EdgeCaffe's `mean-execution-time` (ms). */
  meanExecutionMs?: number;
  /** EdgeCaffe's `max-memory-*` keys in MB, e.g. `valgrind`, `valgrind-050`, `rss`. */
  maxMemoryMB?: Record<string, number>;
  /** Σ partialFileSize (rpi4) or Σ layer weights (measured here). */
  weightsBytes: number;
  /** Factor applied to this network's estimated exec times to meet `meanExecutionMs`; absent when not scaled. */
  execScale?: number;
  /**
   * How many times slower these exec times are than the zoo replica's (batch 1, one image) on the same device:
   * EdgeCaffe ran some prototxts at batch 10, and FaceNet on an image pyramid. `rpi4-zoo` divides by it.
   */
  zooScale?: number;
  /** Work outside any layer: Caffe's input layer (rpi4), or the whole model's create/run (measured here). */
  init?: { loadMs: number; execMs: number; estimated: boolean };
  /** The whole network in one session, when measured (`mema profile`). */
  whole?: { loadMs: number; execMs: number };
  entries: ProfileEntry[];
}

/** How estimated times are derived, kept with the profile so that other models can be estimated the same way. */
export interface EstimationModel {
  /** exec ≈ overhead + perWork[class] × work, work = FLOPs (or output elements for copy-like layers). */
  execOverheadMs: number;
  execMsPerWork: Record<string, number>;
  /** load ≈ overhead + perByte × weight bytes. */
  loadOverheadMs: number;
  loadMsPerByte: number;
  note?: string;
}

/**
 * The device a profile was measured on, when it was (`mema profile`): its storage read bandwidth and CPU
 * quota. With it, the simulator makes loads read at that bandwidth (an entry's loadMs is then the session's
 * creation alone, measured with the weights in memory) and lets concurrent steps share the cores.
 */
export interface ProfileDevice {
  /** Bytes per second read from storage, measured cold. */
  readBytesPerSecond?: number;
  /** Cores the measuring process could use (an emulated quota, or the machine's). */
  cpus?: number;
  /** The emulated memory limit, when there was one. */
  memoryBytes?: number;
  /** How it was measured, for people. */
  note?: string;
}

export interface DeviceProfile {
  format: "mema-device-profile/1";
  name: string;
  device?: ProfileDevice;
  description?: string;
  source?: string;
  license?: string;
  estimation?: EstimationModel;
  /** Keyed by zoo name (lower case) or, for measured models, the model name `mema profile` gave. */
  networks: Record<string, NetworkProfile>;
}

/** A profile that cannot be used: the CLI prints `message` alone. */
export class ProfileError extends Error {
  readonly code: string;
  constructor(message: string, code = "E_PROFILE") {
    super(message);
    this.name = "ProfileError";
    this.code = code;
  }
}

export interface LayerTimes {
  loadMs: number;
  execMs: number;
  /** True when any part of the sum was estimated rather than measured. */
  estimated: boolean;
}

/** Facts of a layer the profile does not know, to estimate it with the profile's estimation model. */
export interface LayerFacts {
  flops: number;
  weightsBytes: number;
  /** Used as work when flops is 0. */
  activationBytes?: number;
}

const entryIndex = new WeakMap<NetworkProfile, Map<string, ProfileEntry[]>>();

/** node name → entries covering it. */
function indexOf(network: NetworkProfile): Map<string, ProfileEntry[]> {
  let index = entryIndex.get(network);
  if (!index) {
    index = new Map();
    for (const entry of network.entries) {
      for (const node of entry.nodes ?? [entry.name]) {
        const list = index.get(node) ?? [];
        list.push(entry);
        index.set(node, list);
      }
    }
    entryIndex.set(network, index);
  }
  return index;
}

/** The profile's network of that name (case-insensitive), or undefined. */
export function profileNetwork(profile: DeviceProfile, network: string): NetworkProfile | undefined {
  return profile.networks[network] ?? profile.networks[network.toLowerCase()] ??
    Object.entries(profile.networks).find(([key]) => key.toLowerCase() === network.toLowerCase())?.[1];
}

/**
 * Load and exec time of one Mema layer (a weighted op and the param-free ops after it, so several Caffe layers):
 * the sum of the profile entries its node names cover. An entry covered only in part (a profile measured at
 * another granularity) counts by the share of its nodes present, and makes the result `estimated`. Nodes no
 * entry knows (such as the zoo's `fc6#flatten`, part of Caffe's fc6) add nothing. When nothing matches (or the
 * network is unknown) and `facts` are given, the profile's estimation model prices the layer.
 */
export function layerTimes(profile: DeviceProfile, network: string, nodeNames: readonly string[], facts?: LayerFacts): LayerTimes {
  const net = profileNetwork(profile, network);
  if (net) {
    const index = indexOf(net);
    const seen = new Map<ProfileEntry, number>();
    for (const node of nodeNames) {
      for (const entry of index.get(node) ?? []) seen.set(entry, (seen.get(entry) ?? 0) + 1);
    }
    if (seen.size > 0) {
      const sum: LayerTimes = { loadMs: 0, execMs: 0, estimated: false };
      for (const [entry, covered] of seen) {
        const total = (entry.nodes ?? [entry.name]).length;
        const share = Math.min(1, covered / total);
        sum.loadMs += share * entry.loadMs;
        sum.execMs += share * entry.execMs;
        if (entry.estimated || share < 1) sum.estimated = true;
      }
      return sum;
    }
  }
  if (facts && profile.estimation) return { ...estimateLayer(profile.estimation, facts), estimated: true };
  if (!net) {
    throw new ProfileError(
      `profile '${profile.name}' has no network '${network}' (it has: ${Object.keys(profile.networks).join(", ")})`,
      "E_PROFILE_NETWORK",
    );
  }
  return { loadMs: 0, execMs: 0, estimated: true };
}

/** Prices a layer with an estimation model (work class "Convolution" for FLOP-heavy layers, else elementwise). */
export function estimateLayer(model: EstimationModel, facts: LayerFacts): { loadMs: number; execMs: number } {
  const perWork = facts.flops > 0 ? (model.execMsPerWork.Convolution ?? 0) : (model.execMsPerWork.ReLU ?? 0);
  const work = facts.flops > 0 ? facts.flops : (facts.activationBytes ?? 0) / 4;
  return {
    loadMs: model.loadOverheadMs + model.loadMsPerByte * facts.weightsBytes,
    execMs: model.execOverheadMs + perWork * work,
  };
}

/**
 * Times for every layer of a split model, in order. Tiles (LayerInfo.tile) each carry the original weighted
 * node's name: each gets that node's load time by its share of the weights and exec time by its share of the
 * FLOPs (flagged estimated), so the tiles of a layer add up to the layer once; the concat step costs nothing extra.
 */
export function splitModelTimes(profile: DeviceProfile, network: string, layers: readonly LayerInfo[]): LayerTimes[] {
  const tileTotals = new Map<string, { weightsBytes: number; flops: number }>();
  for (const layer of layers) {
    if (!layer.tile || layer.tile.index >= layer.tile.count) continue;
    const t = tileTotals.get(layer.tile.of) ?? { weightsBytes: 0, flops: 0 };
    t.weightsBytes += layer.weightsBytes;
    t.flops += layer.flops;
    tileTotals.set(layer.tile.of, t);
  }
  return layers.map((layer) => {
    const facts = { flops: layer.flops, weightsBytes: layer.weightsBytes, activationBytes: layer.activationBytes };
    const total = layer.tile && layer.tile.index < layer.tile.count ? tileTotals.get(layer.tile.of) : undefined;
    if (!layer.tile || !total) return layerTimes(profile, network, layer.nodes, facts);
    const of = layer.tile.of;
    const whole = layerTimes(profile, network, [of], { ...facts, flops: total.flops, weightsBytes: total.weightsBytes });
    const rest = layer.nodes.filter((n) => n !== of);
    const others = rest.length > 0 ? layerTimes(profile, network, rest) : { loadMs: 0, execMs: 0, estimated: false };
    const loadShare = total.weightsBytes > 0 ? layer.weightsBytes / total.weightsBytes : 1 / layer.tile.count;
    const execShare = total.flops > 0 ? layer.flops / total.flops : 1 / layer.tile.count;
    return {
      loadMs: others.loadMs + loadShare * whole.loadMs,
      execMs: others.execMs + execShare * whole.execMs,
      estimated: true,
    };
  });
}

/** What `mema profile` writes (runtime/model/profile.ts, format "mema-layer-profile/1"); only the fields read here. */
export interface MeasuredLayerProfile {
  format: "mema-layer-profile/1";
  model: string;
  sha256?: string;
  machine?: { runtime?: string; platform?: string; cpus?: number; cpuModel?: string };
  measuredAt?: string;
  whole?: { loadMs: number; execMs: number };
  device?: ProfileDevice;
  layers: Pick<LayerInfo, "name" | "nodes" | "ops" | "weightsBytes" | "flops" | "loadMs" | "execMs">[];
}

/** One or more `mema profile` results as a device profile: one network per model, one entry per Mema layer. */
export function fromMeasuredProfiles(name: string, measured: readonly MeasuredLayerProfile[]): DeviceProfile {
  const networks: Record<string, NetworkProfile> = {};
  // Several measurements of one model (a folder of `mema profile` runs): the most recent wins.
  const latest = new Map<string, MeasuredLayerProfile>();
  for (const m of measured) {
    const seen = latest.get(m.model);
    if (!seen || (m.measuredAt ?? "") >= (seen.measuredAt ?? "")) latest.set(m.model, m);
  }
  for (const m of latest.values()) {
    networks[m.model] = {
      measured: true,
      weightsBytes: m.layers.reduce((a, l) => a + l.weightsBytes, 0),
      ...(m.whole ? { whole: m.whole } : {}),
      entries: m.layers.map((l) => ({
        name: l.name,
        nodes: l.nodes,
        loadMs: l.loadMs ?? 0,
        execMs: l.execMs ?? 0,
        estimated: l.loadMs === undefined || l.execMs === undefined,
        weightsBytes: l.weightsBytes,
        type: l.ops.join("+"),
        flops: l.flops,
      })),
    };
  }
  const first = measured[0]?.machine;
  // Several models measured on one device: the slowest read counts (a small model's read ends inside the
  // throttle's initial burst and overstates the bandwidth).
  const devices = measured.flatMap((m) => (m.device ? [m.device] : []));
  const device = devices.length === 0 ? undefined : devices.reduce((a, b) => ((b.readBytesPerSecond ?? Infinity) < (a.readBytesPerSecond ?? Infinity) ? b : a));
  return {
    format: "mema-device-profile/1",
    name,
    description: first ? `measured here by mema profile: ${first.cpuModel ?? "?"} (${first.runtime ?? "?"})` : "measured by mema profile",
    ...(device ? { device } : {}),
    networks,
  };
}

/** Validates a parsed JSON value as a device or layer profile; `where` names the file in errors. */
export function parseProfile(value: unknown, where: string): DeviceProfile {
  const v = value as { format?: unknown } | null;
  if (v && typeof v === "object" && v.format === "mema-device-profile/1") {
    const p = value as DeviceProfile;
    if (typeof p.networks !== "object" || p.networks === null) throw new ProfileError(`${where}: device profile without 'networks'`);
    for (const [key, net] of Object.entries(p.networks)) {
      if (!Array.isArray(net.entries)) throw new ProfileError(`${where}: network '${key}' has no 'entries' array`);
      for (const e of net.entries) {
        if (typeof e.name !== "string" || !Number.isFinite(e.loadMs) || !Number.isFinite(e.execMs)) {
          throw new ProfileError(`${where}: network '${key}': entry ${JSON.stringify(e.name)} needs name, loadMs and execMs numbers`);
        }
      }
    }
    return p;
  }
  if (v && typeof v === "object" && v.format === "mema-layer-profile/1") {
    const m = value as MeasuredLayerProfile;
    if (typeof m.model !== "string" || !Array.isArray(m.layers)) throw new ProfileError(`${where}: layer profile needs 'model' and 'layers'`);
    return fromMeasuredProfiles(m.model, [m]);
  }
  throw new ProfileError(`${where}: not a profile (expected "format": "mema-device-profile/1" or "mema-layer-profile/1")`);
}
