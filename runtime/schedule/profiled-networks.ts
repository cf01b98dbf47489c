// NetworkSpecs for the simulator from a device profile: a zoo network's layers come from the splitter run on
// its weightless ModelProto, their times from the profile (measured entries, else the profile's estimation
// model). Other models' layers come from the caller (splitting a file needs file access). Pure.
import type { ModelPlan } from "../../lang/plan.ts";
import type { DeviceProfile } from "../../stdlib/profiles/device-profile.ts";
import { planLayers } from "../model/split-plan.ts";
import type { LayerInfo } from "../model/types.ts";
import type { SimulationPlugins } from "../plugins.ts";
import { networkFromLayers } from "./from-layers.ts";
import type { NetworkSpec } from "./network.ts";
import type { ModelResolver } from "./pipeline.ts";

/** EdgeCaffe's MB (mem_limit, max-memory-*): compared with budgets given in MB, so SI here as in the language. */
const BYTES_PER_EDGECAFFE_MB = 1e6;

export interface ProfiledResolverOptions {
  /**
   * Layers of a model that is not in the zoo (a file): the caller splits it. `capBytes` asks for tiling,
   * `mergeBytes` for consecutive layers merged into units of at most that many weight bytes.
   */
  fileLayers?: (model: ModelPlan, capBytes?: number, mergeBytes?: number) => LayerInfo[];
}

/**
 * DeepEye's conv/fc split on Mema layers: "fc" starts at the first fully connected layer (Gemm/MatMul, or a
 * Caffe name starting with fc, e.g. FaceNet's fc6-conv), as EdgeCaffe's num-fc-layers counts from fc6.
 */
export function convLayerCount(layers: readonly LayerInfo[]): number {
  const first = layers.findIndex((l) => /^fc/i.test(l.name) || l.ops.some((op) => op === "Gemm" || op === "MatMul"));
  return first <= 0 ? layers.length : first;
}

/** A resolver from `profile`'s times: zoo networks planned from `plugins.zooModel`, times from `plugins.profiles`. */
export function profiledResolver(profile: DeviceProfile, plugins: SimulationPlugins, options: ProfiledResolverOptions = {}): ModelResolver {
  const layerCache = new Map<string, LayerInfo[]>();
  const layersOf = (model: ModelPlan, capBytes?: number, mergeBytes?: number): { key: string; layers: LayerInfo[] } => {
    const key = `${model.source.kind === "zoo" ? model.source.network : model.source.path}@${capBytes ?? "-"}/${mergeBytes ?? "-"}`;
    let layers = layerCache.get(key);
    if (!layers) {
      if (model.source.kind === "zoo") {
        layers = planLayers(plugins.zooModel(model.source.network, { weights: false }), {
          ...(capBytes === undefined ? {} : { capBytes }),
          ...(mergeBytes === undefined ? {} : { granularity: "merged" as const, mergeBytes }),
        });
      } else if (options.fileLayers) layers = options.fileLayers(model, capBytes, mergeBytes);
      else throw new Error(`model ${model.name}: ${model.source.path} needs splitting, which needs file access here`);
      layerCache.set(key, layers);
    }
    return { key, layers };
  };
  const specOf = (model: ModelPlan, capBytes?: number, mergeBytes?: number): NetworkSpec => {
    const profileName = model.source.kind === "zoo" ? model.source.network : model.name;
    const { layers } = layersOf(model, capBytes, mergeBytes);
    const times = plugins.profiles.layerTimes(profile, profileName, layers);
    const net = plugins.profiles.network(profile, profileName);
    const valgrindMB = net?.maxMemoryMB?.valgrind;
    return networkFromLayers(model.name, layers, {
      times: (_, i) => times[i]!,
      initMs: net?.init ? net.init.loadMs + net.init.execMs : 0,
      convLayers: convLayerCount(layers),
      ...(net?.meanExecutionMs !== undefined ? { meanExecMs: net.meanExecutionMs } : {}),
      ...(valgrindMB !== undefined ? { declaredPeakBytes: Math.round(valgrindMB * BYTES_PER_EDGECAFFE_MB) } : {}),
    });
  };
  // Which plan (and unit size) a spec came from, so that a tile request can re-split that model with a cap.
  const origin = new WeakMap<NetworkSpec, { model: ModelPlan; mergeBytes: number | undefined }>();
  const device = profile.device?.readBytesPerSecond !== undefined || profile.device?.cpus !== undefined
    ? {
        ...(profile.device.readBytesPerSecond !== undefined ? { readBytesPerSecond: profile.device.readBytesPerSecond } : {}),
        ...(profile.device.cpus !== undefined ? { cpus: profile.device.cpus } : {}),
        ...(profile.device.memoryBytes !== undefined ? { memoryBytes: profile.device.memoryBytes } : {}),
      }
    : undefined;
  return {
    profile: profile.name,
    ...(device ? { device } : {}),
    network(model, units = {}) {
      const spec = specOf(model, units.capBytes, units.mergeBytes);
      origin.set(spec, { model, mergeBytes: units.mergeBytes });
      return spec;
    },
    tile(network, layer, capBytes) {
      const from = origin.get(network);
      if (!from) return null;
      const tiled = specOf(from.model, Math.floor(capBytes), from.mergeBytes);
      const biggest = Math.max(...tiled.layers.map((l) => l.weightsBytes));
      if (biggest >= network.layers[layer]!.weightsBytes) return null;
      origin.set(tiled, from);
      return tiled;
    },
  };
}
