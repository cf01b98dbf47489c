// What the scheduler needs to know of a split model for a real run: its NetworkSpec, with step times
// from the layers' profile (`mema profile`) where measured, else estimated (the policy's ordering only:
// real runs report measured times).
import type { SplitModel } from "../model/types.ts";
import { networkFromLayers } from "../schedule/from-layers.ts";
import { convLayerCount } from "../schedule/profiled-networks.ts";
import type { NetworkSpec } from "../schedule/network.ts";

/** Estimates: a session costs ~1 ms to create plus its weights read at 1 GB/s; a core computes ~5 GFLOP/s. */
const SESSION_CREATE_MS = 1;
const LOAD_BYTES_PER_MS = 1e6;
const EXEC_FLOPS_PER_MS = 5e6;

export function networkSpecOf(model: SplitModel, name = model.name): NetworkSpec {
  return networkFromLayers(name, model.layers, {
    times: (layer) => ({
      loadMs: layer.loadMs ?? SESSION_CREATE_MS + layer.weightsBytes / LOAD_BYTES_PER_MS,
      execMs: layer.execMs ?? Math.max(0.01, layer.flops / EXEC_FLOPS_PER_MS),
    }),
    convLayers: convLayerCount(model.layers),
  });
}
