// `multi-bulk` (MultiBulkOrchestrator): the bulk graph without the chain between networks, `workers`
// workers sharing one FCFS pool, so whole networks overlap.
import type { Policy } from "../../runtime/schedule/policy.ts";
import { firstFit } from "./fcfs.ts";

export function multiBulk(): Policy {
  return {
    name: "multi-bulk",
    graph: "bulk",
    chain: false,
    lanes: (workers) => Array.from({ length: workers }, () => ({ pools: [0] })),
    pick: (ready, _lane, ctx) => firstFit(ready, ctx),
  };
}
