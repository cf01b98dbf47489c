// Which layer produces and which layers consume each tensor of a split model: where activations must go,
// and when the last consumer has read one so it can be dropped.
import type { SplitModel } from "../model/types.ts";

export interface TensorRoutes {
  /** Graph input names (produced by the init step). */
  inputs: string[];
  /** Graph output names: kept until the instance ends, then digested. */
  outputs: string[];
  /** Layer index that reads a tensor last; absent when nothing reads it. */
  lastConsumer: Map<string, number>;
  /** Every layer reading a tensor, in order. */
  consumers: Map<string, number[]>;
}

export function tensorRoutes(model: SplitModel): TensorRoutes {
  const lastConsumer = new Map<string, number>();
  const consumers = new Map<string, number[]>();
  for (const layer of model.layers) {
    for (const input of layer.inputs) {
      lastConsumer.set(input.name, layer.index);
      const list = consumers.get(input.name) ?? [];
      if (!list.includes(layer.index)) list.push(layer.index);
      consumers.set(input.name, list);
    }
  }
  return {
    inputs: model.inputs.map((t) => t.name),
    outputs: model.outputs.map((t) => t.name),
    lastConsumer,
    consumers,
  };
}
