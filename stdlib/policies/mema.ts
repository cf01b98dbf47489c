// `mema`, ours: the partial graph (loads free to run ahead), `workers` workers sharing one pool, the
// per-layer ledger as admission. Rules, in order (README.md explains why):
//  1. Executions first: a ready exec that fits goes before any load; among them the network that started
//     earliest (it holds memory the longest), then the lowest task id.
//  2. Otherwise the load (or init) whose exec the workers will need soonest: its deadline is the exec
//     work still ahead of that layer in its own network (Σ execMs of the layers between the network's next
//     exec and it); an init's deadline is 0 (a new network brings loads that can run while others execute).
//     So the loads of one network run while another network's compute-heavy layers execute, and a network
//     is never loaded far ahead while another could use the lane sooner.
//     Ties: the network that started earliest, then the lowest task id.
//  3. Only what the ledger admits (budget and deadlock-freedom, runtime/schedule/admission.ts).
import type { Step } from "../../runtime/schedule/graph.ts";
import type { Policy, PolicyContext } from "../../runtime/schedule/policy.ts";

export function mema(): Policy {
  const prefixExecMs = new Map<number, number[]>();
  const execBefore = (ctx: PolicyContext, network: number): number[] => {
    let prefix = prefixExecMs.get(network);
    if (!prefix) {
      prefix = [0];
      for (const layer of ctx.graph.networks[network]!.spec.layers) prefix.push(prefix[prefix.length - 1]! + layer.execMs);
      prefixExecMs.set(network, prefix);
    }
    return prefix;
  };
  const deadline = (step: Step, ctx: PolicyContext): number => {
    if (step.kind === "init" || step.layer < 0) return 0;
    const inst = ctx.graph.instances[step.instance]!;
    const prefix = execBefore(ctx, inst.network);
    return prefix[step.layer]! - prefix[Math.min(ctx.nextExec(step.instance), step.layer)]!;
  };
  return {
    name: "mema",
    graph: "partial",
    chain: false,
    lanes: (workers) => Array.from({ length: workers }, () => ({ pools: [0] })),
    pick(ready, _lane, ctx) {
      let best: Step | null = null;
      let bestOrder = Infinity;
      for (const step of ready) {
        if (step.kind !== "exec") continue;
        const order = ctx.startOrder(step.instance);
        if ((best === null || order < bestOrder) && ctx.fits(step)) {
          best = step;
          bestOrder = order;
        }
      }
      if (best) return best;
      let bestDeadline = Infinity;
      for (const step of ready) {
        if (step.kind === "exec") continue;
        const d = deadline(step, ctx);
        const order = ctx.startOrder(step.instance);
        if (best !== null && (d > bestDeadline || (d === bestDeadline && order >= bestOrder))) continue;
        if (!ctx.fits(step)) continue;
        best = step;
        bestDeadline = d;
        bestOrder = order;
      }
      return best;
    },
  };
}
