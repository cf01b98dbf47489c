// Adapter: a split model's LayerInfo[] (runtime/model) plus step times (a device profile) -> NetworkSpec.
import type { LayerInfo } from "../model/types.ts";
import type { NetworkSpec } from "./network.ts";

export interface LayerTimes {
  loadMs: number;
  execMs: number;
}

export interface FromLayersOptions {
  /** Times per layer; default: the layer's own measured loadMs/execMs (an error when missing). */
  times?: (layer: LayerInfo, index: number) => LayerTimes;
  initMs?: number;
  /** DeepEye's conv/fc split (EdgeCaffe's num-conv-layers, mapped onto these layers). */
  convLayers?: number;
  meanExecMs?: number;
  declaredPeakBytes?: number;
}

/** Activation edges follow the tensors: a layer reads the outputs of the layers producing its inputs. */
export function networkFromLayers(name: string, layers: LayerInfo[], options: FromLayersOptions = {}): NetworkSpec {
  const producer = new Map<string, number>();
  let inputBytes = 0;
  const seenInputs = new Set<string>();
  const specLayers = layers.map((layer, i) => {
    const inputs = new Set<number>();
    for (const tensor of layer.inputs) {
      const p = producer.get(tensor.name);
      if (p !== undefined) inputs.add(p);
      else {
        inputs.add(-1);
        if (!seenInputs.has(tensor.name)) {
          seenInputs.add(tensor.name);
          inputBytes += tensor.bytes;
        }
      }
    }
    for (const tensor of layer.outputs) producer.set(tensor.name, i);
    const times = options.times ? options.times(layer, i) : { loadMs: layer.loadMs, execMs: layer.execMs };
    if (times.loadMs === undefined || times.execMs === undefined) {
      throw new Error(`network ${name}, layer ${layer.name}: no load/exec time (profile the model or give a device profile)`);
    }
    return {
      name: layer.name,
      weightsBytes: layer.weightsBytes,
      activationBytes: layer.activationBytes,
      ...(layer.execWorkspaceBytes ? { execWorkspaceBytes: layer.execWorkspaceBytes } : {}),
      inputs: [...inputs].sort((a, b) => a - b),
      loadMs: times.loadMs,
      execMs: times.execMs,
      heavy: layer.heavy,
    };
  });
  const spec: NetworkSpec = { name, layers: specLayers, inputBytes, initMs: options.initMs ?? 0 };
  if (options.convLayers !== undefined) spec.convLayers = Math.max(1, Math.min(options.convLayers, specLayers.length));
  if (options.meanExecMs !== undefined) spec.meanExecMs = options.meanExecMs;
  if (options.declaredPeakBytes !== undefined) spec.declaredPeakBytes = options.declaredPeakBytes;
  return spec;
}
