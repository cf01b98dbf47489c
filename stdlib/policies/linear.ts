// `linear` (LinearOrchestrator): init, then load and exec of each layer strictly alternating, networks
// chained, one worker, FCFS.
import type { Policy } from "../../runtime/schedule/policy.ts";
import { firstFit } from "./fcfs.ts";

export function linear(): Policy {
  return { name: "linear", graph: "linear", chain: true, lanes: () => [{ pools: [0] }], pick: (ready, _lane, ctx) => firstFit(ready, ctx) };
}
