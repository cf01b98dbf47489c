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
