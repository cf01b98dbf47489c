// `partial` (no orchestrator at EdgeCaffe's HEAD; defined from its task graph, reference §3 History):
// loads free to run ahead of execs, exec i after exec i-1 and load i, no edges between networks,
// `workers` workers sharing one FCFS pool.
import type { Policy } from "../../runtime/schedule/policy.ts";
import { firstFit } from "./fcfs.ts";

export function partial(): Policy {
  return {
    name: "partial",
    graph: "partial",
    chain: false,
    lanes: (workers) => Array.from({ length: workers }, () => ({ pools: [0] })),
    pick: (ready, _lane, ctx) => firstFit(ready, ctx),
  };
}
