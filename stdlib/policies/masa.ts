// `masa` (MasaOrchestrator + MasaScheduler, reference §3): the partial graph, `workers` workers sharing one
// pool. A ready exec always goes first; otherwise loads and inits in key order. Key: (network's
// mean-execution-time, type EXEC 0 < LOAD 1 < INIT 2, task id): shortest network first.
// Admission "edgecaffe": EdgeCaffe's counter: an INIT reserves its network's declared peak when handed out
// and passes if no network is active, or it fits the free counter, or it needs 0; the bytes come back when
// the network finishes; loads and execs are never gated. Admission "ledger": the per-layer ledger decides.
import type { Step } from "../../runtime/schedule/graph.ts";
import type { Policy, PolicyContext } from "../../runtime/schedule/policy.ts";

/** EdgeCaffe's own footprint, reserved at start and never released (MemoryCounter). */
export const EDGECAFFE_BASE_BYTES = Math.round(4.87 * 1024 * 1024);

const TYPE_ORDER = { exec: 0, load: 1, init: 2, free: 3 } as const;

export function masa(): Policy {
  let counterFreeBytes = NaN;
  const snfKey = (step: Step, ctx: PolicyContext) => {
    const net = ctx.graph.networks[ctx.graph.instances[step.instance]!.network]!;
    return net.spec.meanExecMs ?? net.totalExecMs;
  };
  const less = (a: Step, b: Step, ctx: PolicyContext) => {
    const ka = snfKey(a, ctx);
    const kb = snfKey(b, ctx);
    if (ka !== kb) return ka < kb;
    if (a.kind !== b.kind) return TYPE_ORDER[a.kind] < TYPE_ORDER[b.kind];
    return a.taskId < b.taskId;
  };
  const declaredBytes = (instance: number, ctx: PolicyContext) => {
    const net = ctx.graph.networks[ctx.graph.instances[instance]!.network]!;
    return net.spec.declaredPeakBytes ?? 0;
  };
  const admits = (step: Step, ctx: PolicyContext) => {
    if (ctx.admission === "ledger") return ctx.fits(step);
    if (step.kind !== "init") return true;
    if (Number.isNaN(counterFreeBytes)) counterFreeBytes = (ctx.budgetBytes ?? Infinity) - EDGECAFFE_BASE_BYTES;
    const required = declaredBytes(step.instance, ctx);
    return ctx.activeNetworks === 0 || required <= Math.max(counterFreeBytes, 0) || required === 0;
  };
  return {
    name: "masa",
    graph: "partial",
    chain: false,
    lanes: (workers) => Array.from({ length: workers }, () => ({ pools: [0] })),
    pick(ready, _lane, ctx) {
      let best: Step | null = null;
      for (const step of ready) if (step.kind === "exec" && (!best || less(step, best, ctx)) && (ctx.admission === "edgecaffe" || ctx.fits(step))) best = step;
      if (best) return best;
      // Loads and inits in key order: the first admissible one (a blocked init is skipped, not waited for).
      const candidates = ready.filter((s) => s.kind !== "exec").sort((a, b) => (less(a, b, ctx) ? -1 : less(b, a, ctx) ? 1 : 0));
      for (const step of candidates) if (admits(step, ctx)) return step;
      return null;
    },
    started(step, ctx) {
      if (ctx.admission === "edgecaffe" && step.kind === "init") {
        if (Number.isNaN(counterFreeBytes)) counterFreeBytes = (ctx.budgetBytes ?? Infinity) - EDGECAFFE_BASE_BYTES;
        counterFreeBytes -= declaredBytes(step.instance, ctx);
      }
    },
    networkFinished(instance, ctx) {
      if (ctx.admission === "edgecaffe") counterFreeBytes += declaredBytes(instance, ctx);
    },
  };
}
