// `deepeye` and `deepeye-frugal` (DeepEyeOrchestrator): the conv/fc graph (graph.ts), always two workers,
// worker k serving pool k (0: inits and conv layers, 1: fc layers), FCFS in each. `-frugal` loads one
// network's fc weights at a time (its fc loads wait for the previous network's last fc exec).
import type { Policy } from "../../runtime/schedule/policy.ts";
import { firstFit } from "./fcfs.ts";

function make(name: string, frugal: boolean): Policy {
  return {
    name,
    graph: frugal ? "deepeye-frugal" : "deepeye",
    chain: false,
    lanes: () => [{ pools: [0] }, { pools: [1] }],
    pick: (ready, _lane, ctx) => firstFit(ready, ctx),
  };
}

export const deepeye = (): Policy => make("deepeye", false);
export const deepeyeFrugal = (): Policy => make("deepeye-frugal", true);
