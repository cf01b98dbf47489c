// EdgeCaffe's FCFS pool (FCFSTaskPool): the smallest ready task id. Under ledger admission, the smallest
// one that fits (a step that cannot reserve its bytes is skipped, not waited for).
import type { Step } from "../../runtime/schedule/graph.ts";
import type { PolicyContext } from "../../runtime/schedule/policy.ts";

export function firstFit(ready: readonly Step[], ctx: PolicyContext): Step | null {
  for (const step of ready) if (ctx.fits(step)) return step;
  return null;
}
