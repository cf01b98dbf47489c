// `mema`, ours: the partial graph (loads free to run ahead), `workers` workers sharing one pool, the
// per-layer ledger as admission. Critical-path list scheduling that keeps the lanes busy; README.md says why.
//  1. Executions first: a ready exec that fits goes before any load or init. Among them, the critical
//     network's (the one with the longest remaining path), then the network that started earliest.
//  2. Urgent loads next: a load (or init) whose latest start is now, i.e. whose network's slack plus the
//     exec work still ahead of it in its network, minus its own duration, is <= 0 (smallest first).
//     Slack = longest remaining path among the networks present - this network's remaining path; a
//     remaining path is the critical path from now (loads in parallel, execs in order, started loads done).
//  3. Otherwise the load needed soonest in its own network (the exec work ahead of it; 0 for an init),
//     and at equal need the network with less slack: memory-heavy loads of one network run while
//     compute-heavy layers of another execute, and no network is loaded far ahead while another could use
//     the lane sooner.
//  4. Ties: the network that started earliest, then the lowest task id.
//  5. Only what the ledger admits (budget and deadlock-freedom, runtime/schedule/admission.ts).
// Streams (arrivals not in batch rounds) have no round to finish together: there, execs and then loads
// go to the network closest to done (shortest remaining path first), which keeps response times short.
import type { Step } from "../../runtime/schedule/graph.ts";
import type { Policy, PolicyContext } from "../../runtime/schedule/policy.ts";

interface InstanceBook {
  loaded: Uint8Array;
  initStarted: boolean;
  /** Remaining path, valid while `pathVersion` matches the state. */
  pathMs: number;
  pathVersion: number;
  version: number;
}

export function mema(): Policy {
  const books = new Map<number, InstanceBook>();
  /** Instances present at a pick (reused: picks are the simulator's hot path). */
  const seen = new Set<number>();
  const prefixExec = new Map<number, Float64Array>();
  const bookOf = (ctx: PolicyContext, instance: number): InstanceBook => {
    let book = books.get(instance);
    if (!book) {
      const net = ctx.graph.networks[ctx.graph.instances[instance]!.network]!;
      book = { loaded: new Uint8Array(net.spec.layers.length), initStarted: false, pathMs: 0, pathVersion: -1, version: 0 };
      books.set(instance, book);
    }
    return book;
  };
  const execBefore = (ctx: PolicyContext, network: number): Float64Array => {
    let prefix = prefixExec.get(network);
    if (!prefix) {
      const layers = ctx.graph.networks[network]!.spec.layers;
      prefix = new Float64Array(layers.length + 1);
      layers.forEach((layer, i) => (prefix![i + 1] = prefix![i]! + layer.execMs));
      prefixExec.set(network, prefix);
    }
    return prefix;
  };
  /** The instance's critical path from now: init if pending, then execs in order, each after its load. */
  const remainingPath = (ctx: PolicyContext, instance: number): number => {
    const book = bookOf(ctx, instance);
    const e = ctx.nextExec(instance);
    const version = book.version * 4096 + e;
    if (book.pathVersion === version) return book.pathMs;
    const spec = ctx.graph.networks[ctx.graph.instances[instance]!.network]!.spec;
    const start = book.initStarted ? 0 : spec.initMs;
    let t = start;
    for (let i = e; i < spec.layers.length; i++) {
      const layer = spec.layers[i]!;
      t = Math.max(t, book.loaded[i] ? 0 : start + layer.loadMs) + layer.execMs;
    }
    book.pathMs = t;
    book.pathVersion = version;
    return t;
  };
  /** Exec work in the step's network before the step's layer can run (0 for inits and execs). */
  const workAhead = (step: Step, ctx: PolicyContext): number => {
    if (step.kind !== "load" || step.layer < 0) return 0;
    const prefix = execBefore(ctx, ctx.graph.instances[step.instance]!.network);
    return prefix[step.layer]! - prefix[Math.min(ctx.nextExec(step.instance), step.layer)]!;
  };
  const better = (a: Step, ka: number, a2: number, b: Step | null, kb: number, b2: number, ctx: PolicyContext) => {
    if (b === null) return true;
    if (ka !== kb) return ka < kb;
    if (a2 !== b2) return a2 < b2;
    const oa = ctx.startOrder(a.instance);
    const ob = ctx.startOrder(b.instance);
    if (oa !== ob) return oa < ob;
    return a.taskId < b.taskId;
  };
  return {
    name: "mema",
    graph: "partial",
    chain: false,
    keepsWeights: true,
    lanes: (workers) => Array.from({ length: workers }, () => ({ pools: [0] })),
    pick(ready, _lane, ctx) {
      let longest = 0;
      seen.clear();
      const visit = (instance: number) => {
        if (seen.has(instance)) return;
        seen.add(instance);
        longest = Math.max(longest, remainingPath(ctx, instance));
      };
      for (const step of ready) visit(step.instance);
      for (const r of ctx.running) if (r) visit(r.instance);
      const slack = (step: Step) => longest - remainingPath(ctx, step.instance);

      let best: Step | null = null;
      let bestKey = Infinity;
      let bestKey2 = Infinity;
      const consider = (step: Step, key: number, key2 = 0) => {
        if (better(step, key, key2, best, bestKey, bestKey2, ctx) && ctx.fits(step)) {
          best = step;
          bestKey = key;
          bestKey2 = key2;
        }
      };
      if (!ctx.batchRounds) {
        // A stream: no round to finish together, and each network's response counts. Execs first, the
        // network closest to done first (shortest remaining path); then the load needed soonest in its own
        // network, the network closest to done first.
        for (const step of ready) if (step.kind === "exec") consider(step, remainingPath(ctx, step.instance));
        if (best) return best;
        for (const step of ready) if (step.kind !== "exec") consider(step, workAhead(step, ctx), remainingPath(ctx, step.instance));
        return best;
      }
      // 1. Execs: the critical network's, then by start order (key = start order; -1 for critical).
      for (const step of ready) if (step.kind === "exec") consider(step, slack(step) <= 0 ? -1 : ctx.startOrder(step.instance));
      if (best) return best;
      // 2. Urgent loads and inits, by slack + work ahead.
      for (const step of ready) {
        if (step.kind === "exec") continue;
        const key = slack(step) + workAhead(step, ctx);
        if (key - (step.kind === "load" ? step.durationMs : 0) <= 0) consider(step, key);
      }
      if (best) return best;
      // 3. The load needed soonest in its own network; at equal need, the more critical network's.
      for (const step of ready) if (step.kind !== "exec") consider(step, workAhead(step, ctx), slack(step));
      return best;
    },
    started(step, ctx) {
      const book = bookOf(ctx, step.instance);
      if (step.kind === "init") book.initStarted = true;
      else if (step.kind === "load" && step.layer >= 0) book.loaded[step.layer] = 1;
      book.version++;
    },
    networkFinished(instance) {
      books.delete(instance);
    },
  };
}
