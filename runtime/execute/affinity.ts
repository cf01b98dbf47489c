// A session lives in the worker thread that created it, so a layer's exec can only run on the lane its
// load ran on. This wraps any policy so that it is offered, per lane, only the execs that lane can run.
import type { Step } from "../schedule/graph.ts";
import type { Policy } from "../schedule/policy.ts";

/** `homeLane(step)`: for an exec, the lane its session was loaded on (undefined while unknown). */
export function withSessionAffinity(policy: Policy, homeLane: (step: Step) => number | undefined): Policy {
  const wrapped: Policy = {
    name: policy.name,
    graph: policy.graph,
    chain: policy.chain,
    ...(policy.keepsWeights !== undefined ? { keepsWeights: policy.keepsWeights } : {}),
    lanes: (workers) => policy.lanes(workers),
    pick(ready, lane, ctx) {
      let offered = ready;
      if (ready.some((s) => s.kind === "exec")) {
        offered = ready.filter((s) => {
          if (s.kind !== "exec") return true;
          const home = homeLane(s);
          return home === undefined || home === lane;
        });
      }
      return offered.length === 0 ? null : policy.pick(offered, lane, ctx);
    },
  };
  if (policy.started) wrapped.started = (step, ctx) => policy.started!(step, ctx);
  if (policy.networkFinished) wrapped.networkFinished = (instance, ctx) => policy.networkFinished!(instance, ctx);
  return wrapped;
}
