// Run metrics: percentiles and the makespan lower bound a schedule is judged against.
import type { NetworkFacts } from "./network.ts";

/** Nearest-rank percentile (p in (0, 100]) of `values`; 0 for none. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = values.slice().sort((a, b) => a - b);
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1]!;
}

/**
 * A network's critical path with unlimited lanes and memory: loads all start after init, exec i after
 * exec i-1 and load i (the least constrained of EdgeCaffe's graphs, so a bound for all of them).
 */
export function criticalPathMs(net: NetworkFacts): number {
  const init = net.spec.initMs;
  let execEnd = init;
  for (const layer of net.spec.layers) execEnd = Math.max(execEnd, init + layer.loadMs) + layer.execMs;
  return execEnd;
}

export interface LowerBoundInput {
  /** Per arrival, in order: when it was admitted, its gap, and its instances' networks. */
  arrivals: { admittedMs: number; gapMs: number; networks: NetworkFacts[] }[];
  /** Batch rounds that each wait for the previous round to finish (our gate; EdgeCaffe's may overlap). */
  sequentialRounds: boolean;
  /** Lanes that can execute; all lanes (every lane can load). */
  execLanes: number;
  totalLanes: number;
}

/** The least time one group of networks needs once admitted: its work over the lanes, or its longest path. */
function groupBoundMs(networks: NetworkFacts[], execLanes: number, totalLanes: number): number {
  let exec = 0;
  let all = 0;
  let path = 0;
  for (const net of networks) {
    exec += net.totalExecMs;
    all += net.totalExecMs + net.totalLoadMs + net.spec.initMs;
    path = Math.max(path, criticalPathMs(net));
  }
  return Math.max(exec / execLanes, all / totalLanes, path);
}

/**
 * A bound no schedule on these lanes can beat. Sequential rounds: round r cannot start before round r-1
 * ended nor before its gap after r-1's admission, and needs at least its own group bound. Otherwise each
 * arrival's admission time plus the work admitted from then on over the lanes (and plus each critical path).
 */
export function lowerBoundMs(input: LowerBoundInput): number {
  const { arrivals, execLanes, totalLanes } = input;
  if (input.sequentialRounds) {
    let admitted = 0;
    let end = 0;
    arrivals.forEach((arrival, r) => {
      admitted = r === 0 ? arrival.gapMs : Math.max(end, admitted + arrival.gapMs);
      end = admitted + groupBoundMs(arrival.networks, execLanes, totalLanes);
    });
    return end;
  }
  let bound = 0;
  let execAfter = 0;
  let allAfter = 0;
  for (let a = arrivals.length - 1; a >= 0; a--) {
    const arrival = arrivals[a]!;
    for (const net of arrival.networks) {
      execAfter += net.totalExecMs;
      allAfter += net.totalExecMs + net.totalLoadMs + net.spec.initMs;
      bound = Math.max(bound, arrival.admittedMs + criticalPathMs(net));
    }
    bound = Math.max(bound, arrival.admittedMs + execAfter / execLanes, arrival.admittedMs + allAfter / totalLanes);
  }
  return bound;
}

/** A network's facts with every load taking no time: an instance whose weights a kept session already holds. */
export function withoutLoads(net: NetworkFacts): NetworkFacts {
  return { ...net, totalLoadMs: 0, spec: { ...net.spec, layers: net.spec.layers.map((l) => ({ ...l, loadMs: 0 })) } };
}

/**
 * The least a run can read from storage: every layer's weights at its first use, and again at a later
 * use unless they stayed in memory meanwhile, under `budgetBytes` (null: no limit). Computed for an ideal
 * cache that may keep any part of any layer, with the room at each use being the budget less the tensors
 * live while that layer executes (its inputs, its outputs, those still awaited): furthest-next-use eviction
 * (Belady's rule) is optimal there, so no run under this budget reads less. A layer passes through in
 * pieces (a run may cut it into tiles): it is read whole, and the rule decides how much of it stays too. `arrivals` lists, per arrival,
 * the indexes of its networks (in `networks`), in order; layers are used in order.
 */
export function minReadBytes(networks: NetworkFacts[], arrivals: readonly (readonly number[])[], budgetBytes: number | null): number {
  // Items are (network, layer); uses are listed in order, each with the index of its item's next use.
  const first: number[] = [];
  let items = 0;
  for (const net of networks) {
    first.push(items);
    items += net.spec.layers.length;
  }
  const sizes = networks.flatMap((net) => net.spec.layers.map((l) => l.weightsBytes));
  const uses: { item: number; room: number }[] = [];
  for (const arrival of arrivals) {
    for (const n of arrival) {
      const net = networks[n]!;
      net.spec.layers.forEach((layer, l) => {
        if (layer.weightsBytes === 0) return;
        const besides = net.liveActivationBytes[l]!;
        uses.push({ item: first[n]! + l, room: budgetBytes === null ? Infinity : Math.max(0, budgetBytes - besides) });
      });
    }
  }
  const nextUse = new Array<number>(uses.length).fill(Infinity);
  const seen = new Map<number, number>();
  for (let t = uses.length - 1; t >= 0; t--) {
    const item = uses[t]!.item;
    nextUse[t] = seen.get(item) ?? Infinity;
    seen.set(item, t);
  }
  const cached = new Float64Array(sizes.length);
  const upcoming = new Float64Array(sizes.length).fill(Infinity);
  // Cached items by next use, furthest first (a binary max-heap with lazy deletion).
  const heap: { use: number; item: number }[] = [];
  const push = (entry: { use: number; item: number }) => {
    heap.push(entry);
    for (let i = heap.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (heap[parent]!.use >= heap[i]!.use) break;
      [heap[parent], heap[i]] = [heap[i]!, heap[parent]!];
      i = parent;
    }
  };
  const pop = () => {
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && heap[l]!.use > heap[m]!.use) m = l;
        if (r < heap.length && heap[r]!.use > heap[m]!.use) m = r;
        if (m === i) break;
        [heap[m], heap[i]] = [heap[i]!, heap[m]!];
        i = m;
      }
    }
    return top;
  };
  let total = 0;
  let read = 0;
  uses.forEach(({ item, room }, t) => {
    const size = sizes[item]!;
    read += size - cached[item]!;
    total += size - cached[item]!;
    cached[item] = size;
    upcoming[item] = nextUse[t]!;
    push({ use: nextUse[t]!, item });
    // Room for the others: evict the furthest next use first, in part if that suffices.
    const deferred: { use: number; item: number }[] = [];
    while (total > room && heap.length > 0) {
      const top = pop();
      if (top.use !== upcoming[top.item] || cached[top.item] === 0) continue; // stale entry
      const out = Math.min(cached[top.item]!, total - room);
      cached[top.item]! -= out;
      total -= out;
      if (cached[top.item]! > 0) deferred.push(top);
    }
    for (const entry of deferred) push(entry);
  });
  return Math.round(read);
}
