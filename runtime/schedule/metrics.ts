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
  /** Per instance: its network's facts and its arrival (admission) time. */
  instances: { net: NetworkFacts; arrivalMs: number }[];
  /** Lanes that can execute / load (a shared lane counts in both). */
  execLanes: number;
  loadLanes: number;
  totalLanes: number;
}

/**
 * The makespan cannot be below: total exec work over the lanes that execute, total load work over the
 * lanes that load, all work over all lanes, nor any instance's arrival plus its critical path.
 */
export function lowerBoundMs(input: LowerBoundInput): number {
  let exec = 0;
  let load = 0;
  let init = 0;
  let path = 0;
  for (const { net, arrivalMs } of input.instances) {
    exec += net.totalExecMs;
    load += net.totalLoadMs;
    init += net.spec.initMs;
    path = Math.max(path, arrivalMs + criticalPathMs(net));
  }
  return Math.max(exec / input.execLanes, (load + init) / input.loadLanes, (exec + load + init) / input.totalLanes, path);
}
