// `execprio` and `execprio-inter` (EdgeCaffe 20cd61c, reference §3 History): the partial graph and one
// pool that hands out executions first (lowest id), then loads and inits by id; `-inter` also chains
// each network's init to the previous network's last exec.
import type { Step } from "../../runtime/schedule/graph.ts";
import type { Policy, PolicyContext } from "../../runtime/schedule/policy.ts";

export function execFirst(ready: readonly Step[], ctx: PolicyContext): Step | null {
  for (const step of ready) if (step.kind === "exec" && ctx.fits(step)) return step;
  for (const step of ready) if (step.kind !== "exec" && ctx.fits(step)) return step;
  return null;
}

function make(name: string, chain: boolean): Policy {
  return {
    name,
    graph: "partial",
    chain,
    lanes: (workers) => Array.from({ length: workers }, () => ({ pools: [0] })),
    pick: (ready, _lane, ctx) => execFirst(ready, ctx),
  };
}

export const execprio = (): Policy => make("execprio", false);
export const execprioInter = (): Policy => make("execprio-inter", true);
