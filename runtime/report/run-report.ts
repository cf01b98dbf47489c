// A RunReport from what a run recorded: the simulator's, a real run's (both through the engine) and the
// baseline loops' go through here, so their times are rounded alike and their summary figures (makespan,
// response times, what an interrupted run keeps) are computed once.
import { percentile } from "../schedule/metrics.ts";
import type { NetworkRecord, RunReport, StepRecord } from "./types.ts";

/** Times in reports: ms to the microsecond. */
export function roundMs(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/** A network instance as a run recorded it (ms since the run's start; endMs not finite: it did not finish). */
export type NetworkTimes = Omit<NetworkRecord, "waitMs" | "responseMs">;

/** What a run recorded: every field of its report but those derived from its networks' times. */
export interface RunRecord extends Omit<RunReport, "makespanMs" | "meanResponseMs" | "p95ResponseMs" | "networks" | "interrupted"> {
  networks: NetworkTimes[];
  /**
   * The run was stopped (Ctrl-C) at this time: the report says `interrupted`, keeps only the steps and
   * networks that ended, and its makespan ends here.
   */
  stoppedAtMs?: number;
}

export function runReport(record: RunRecord): RunReport {
  const { stoppedAtMs, networks: times, steps: recorded, memory, lowerBoundMs, ...rest } = record;
  const stopped = stoppedAtMs !== undefined;
  const networks: NetworkRecord[] = times.map(({ arrivalMs, startMs, endMs, ...network }) => ({
    ...network,
    arrivalMs: roundMs(arrivalMs),
    startMs: roundMs(startMs),
    endMs: roundMs(endMs),
    waitMs: roundMs(startMs - arrivalMs),
    responseMs: roundMs(endMs - arrivalMs),
  }));
  const steps: StepRecord[] = recorded.map((step) => ({ ...step, startMs: roundMs(step.startMs), endMs: roundMs(step.endMs) }));
  // An interrupted run summarises what finished (an unfinished instance has no response time).
  const responses = networks.map((n) => n.responseMs).filter((ms) => Number.isFinite(ms));
  const report: RunReport = {
    ...rest,
    makespanMs: roundMs(stopped ? stoppedAtMs : Math.max(0, ...times.map((n) => n.endMs))),
    lowerBoundMs: roundMs(lowerBoundMs),
    meanResponseMs: roundMs(responses.reduce((a, b) => a + b, 0) / Math.max(1, responses.length)),
    p95ResponseMs: percentile(responses, 95),
    networks,
    steps,
    memory: memory.map((m) => ({ ...m, atMs: roundMs(m.atMs) })),
  };
  if (stopped) {
    report.interrupted = true;
    report.steps = steps.filter((s) => Number.isFinite(s.startMs) && Number.isFinite(s.endMs));
    report.networks = networks.filter((n) => Number.isFinite(n.endMs));
    // No network finished: no response time to show ("—"), rather than 0.
    if (responses.length === 0) report.meanResponseMs = report.p95ResponseMs = NaN;
  }
  return report;
}
