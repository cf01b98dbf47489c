// `bulk` (BulkOrchestrator): per network one whole-model load then one whole forward pass, networks
// chained one after the other, one worker whatever `workers` says, FCFS.
import type { Policy } from "../../runtime/schedule/policy.ts";
import { firstFit } from "./fcfs.ts";

export function bulk(): Policy {
  return { name: "bulk", graph: "bulk", chain: true, lanes: () => [{ pools: [0] }], pick: (ready, _lane, ctx) => firstFit(ready, ctx) };
}
