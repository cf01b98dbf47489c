// Accounted memory changes and RSS samples on one time line, for reports and timelines.
import { roundMs } from "../report/run-report.ts";
import type { MemorySample } from "../report/types.ts";

/** Merges by time; each RSS sample (ms from the run's start) carries the accounted bytes at that moment. */
export function mergeMemorySamples(accounted: MemorySample[], rss: { atMs: number; rssBytes: number }[]): MemorySample[] {
  const merged: MemorySample[] = [];
  let i = 0;
  let current = 0;
  for (const sample of rss) {
    while (i < accounted.length && accounted[i]!.atMs <= sample.atMs) {
      current = accounted[i]!.accountedBytes;
      merged.push(accounted[i++]!);
    }
    merged.push({ atMs: roundMs(Math.max(0, sample.atMs)), accountedBytes: current, rssBytes: sample.rssBytes });
  }
  while (i < accounted.length) merged.push(accounted[i++]!);
  return merged;
}
