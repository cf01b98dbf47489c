// What the scheduler needs to know of a split model for a real run: its NetworkSpec, with step times
// from the layers' profile (`mema profile`) where measured, else estimated (the policy's ordering only:
// real runs report measured times).
import type { LayerInfo, SplitModel } from "../model/types.ts";
import { networkFromLayers } from "../schedule/from-layers.ts";
import type { NetworkSpec } from "../schedule/network.ts";

/** Estimates: a session costs ~1 ms to create plus its weights read at 1 GB/s; a core computes ~5 GFLOP/s. */
const SESSION_CREATE_MS = 1;
const LOAD_BYTES_PER_MS = 1e6;
const EXEC_FLOPS_PER_MS = 5e6;

/**
 * The layers before the first fully connected one (EdgeCaffe's conv/fc boundary): the same rule as
 * runtime/schedule/profiled-networks.ts's convLayerCount (test/runtime/execute/main-thread.test.ts holds them
 * equal), which is not imported because that module brings the simulator's model planning (protobuf, ~12 MiB of
 * RSS) into the main thread of every real run.
 */
export function convLayerCount(layers: readonly LayerInfo[]): number {
  const first = layers.findIndex((l) => /^fc/i.test(l.name) || l.ops.some((op) => op === "Gemm" || op === "MatMul"));
  return first <= 0 ? layers.length : first;
}

export function networkSpecOf(model: SplitModel, name = model.name): NetworkSpec {
  return networkFromLayers(name, model.layers, {
    times: (layer) => ({
      loadMs: layer.loadMs ?? SESSION_CREATE_MS + layer.weightsBytes / LOAD_BYTES_PER_MS,
      execMs: layer.execMs ?? Math.max(0.01, layer.flops / EXEC_FLOPS_PER_MS),
    }),
    convLayers: convLayerCount(model.layers),
  });
}
