// The terminal summary of one run: settings, makespan against its lower bound, response times, memory,
// and one row per network instance (plus per-network averages when networks arrived several times).
import { formatBudget, formatBytes, formatMs, formatPercent, formatRatio, type TimeUnit, timeUnitFor } from "./quantity.ts";
import { renderTextTable, type TextColumn, type TextRow } from "./text-table.ts";
import type { NetworkRecord, RunReport } from "./types.ts";

export interface SummaryOptions {
  /** Network instance rows shown before the rest is elided (all rows are in --csv and --json). Default 60. */
  maxNetworkRows?: number;
}

/** One line naming the run: pipeline, policy, budget, workers, and where the timings came from. */
export function describeRun(report: RunReport): string {
  const source = report.simulated
    ? `simulated${report.profile ? ` on profile ${report.profile}` : ""} (seed ${report.seed})`
    : "real run";
  const workers = `${report.workers} worker${report.workers === 1 ? "" : "s"}`;
  // EdgeCaffe's per-network admission may pass the budget; say so wherever the budget is shown.
  const admission = report.admission === "edgecaffe" ? " (EdgeCaffe admission)" : "";
  const interrupted = report.interrupted ? ", INTERRUPTED (partial)" : "";
  return `${report.pipeline}: ${report.baseline ? `baseline ${report.baseline} (a plain onnxruntime-node loop)` : `policy ${report.policy}`}${admission}, budget ${formatBudget(report.memoryBudgetBytes)}, ${workers}, ${source}${interrupted}`;
}

/** Network instances in the order they arrived (ties: start, name, instance), so the table reads as a story. */
export function networksInArrivalOrder(networks: readonly NetworkRecord[]): NetworkRecord[] {
  return [...networks].sort(
    (a, b) =>
      a.arrivalMs - b.arrivalMs ||
      a.startMs - b.startMs ||
      (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) ||
      a.instance - b.instance,
  );
}

/** The summary of each run, separated by a blank line. */
export function renderSummary(reports: RunReport | readonly RunReport[], options: SummaryOptions = {}): string {
  const list = Array.isArray(reports) ? reports : [reports as RunReport];
  return list.map((r) => renderOne(r, options)).join("\n\n") + "\n";
}

/** The emulated device's own figures: peak memory against the process's start plus the budget, reads, OOM kills. */
function describeDevice(report: RunReport): string {
  const d = report.device!;
  const peak = d.peakBytes === null ? "peak unknown" : `peak ${formatBytes(d.peakBytes)}`;
  const over = d.peakBytes === null ? "" : `, ${formatBytes(d.peakBytes - d.usageBeforeBytes)} over the ${formatBytes(d.usageBeforeBytes)} before the first load`;
  const limit = d.memoryLimitBytes === null ? "" : ` of ${formatBytes(d.memoryLimitBytes)}`;
  const reads = d.readBytes === null ? "reads not counted" : `${formatBytes(d.readBytes)} read`;
  return `${d.emulation}: ${peak}${limit}${over}, ${reads}, ${d.oomKills} OOM kill${d.oomKills === 1 ? "" : "s"}`;
}

/** What the run read from storage, against the least it could have, and the share its loads read. */
function describeReads(report: RunReport): string | undefined {
  if (report.readBytes === undefined) return undefined;
  const parts = [`read ${formatBytes(report.readBytes)}`];
  // The least is a cold start's: a run that finds weights in the page cache (not emulated, or cold=false) can read less.
  if (report.minReadBytes !== undefined && report.minReadBytes > 0) parts.push(`least from a cold cache ${formatBytes(report.minReadBytes)} (${formatRatio(report.readBytes, report.minReadBytes)})`);
  let steps = 0;
  let loads = 0;
  for (const s of report.steps) {
    steps += s.readBytes ?? 0;
    if (s.kind === "load") loads += s.readBytes ?? 0;
  }
  if (steps > 0) parts.push(`${formatPercent(loads, steps)} of the steps' reads in loads`);
  const kept = report.steps.filter((s) => s.resident).length;
  if (kept > 0) parts.push(`${kept} loads found their weights resident`);
  return parts.join(", ");
}

function renderOne(report: RunReport, options: SummaryOptions): string {
  const lines = [describeRun(report)];
  const facts: [string, string][] = [
    [
      "makespan",
      `${formatMs(report.makespanMs)}   lower bound ${formatMs(report.lowerBoundMs)} (${formatRatio(report.makespanMs, report.lowerBoundMs)})`,
    ],
    ["response", `mean ${formatMs(report.meanResponseMs)}, p95 ${formatMs(report.p95ResponseMs)}`],
    [
      "peak accounted",
      report.memoryBudgetBytes === null
        ? `${formatBytes(report.peakAccountedBytes)} (no budget)`
        : `${formatBytes(report.peakAccountedBytes)} of ${formatBudget(report.memoryBudgetBytes)} budget (${formatPercent(report.peakAccountedBytes, report.memoryBudgetBytes)})`,
    ],
  ];
  if (report.baselineRssBytes !== undefined || report.peakRssBytes !== undefined) {
    const parts = [`${formatBytes(report.baselineRssBytes)} before the first load`, `peak ${formatBytes(report.peakRssBytes)}`];
    if (report.baselineRssBytes !== undefined && report.peakRssBytes !== undefined) {
      const over = report.peakRssBytes - report.baselineRssBytes;
      // The measured growth against the budget (it should stay within budget + allowance).
      const share = report.memoryBudgetBytes === null ? "" : ` (${formatPercent(over, report.memoryBudgetBytes)} of the budget)`;
      parts.push(`${formatBytes(over)} over the start${share}`);
    }
    facts.push(["RSS", parts.join(", ")]);
  }
  const storage = describeReads(report);
  if (storage) facts.push(["storage", storage]);
  if (report.device) facts.push(["device", describeDevice(report)]);
  facts.push(["steps", describeSteps(report)]);
  for (const [label, text] of facts) lines.push(`  ${label.padEnd(15)} ${text}`);
  for (const warning of report.warnings ?? []) lines.push(`  ${"warning".padEnd(15)} ${warning}`);
  if (report.networks.length > 0) {
    lines.push("", networkTable(report, options.maxNetworkRows ?? 60));
    const perName = perNetworkTable(report, runTimeUnit(report));
    if (perName) lines.push("", perName);
  }
  return lines.join("\n");
}

/** One time unit for all of a run's tables, from its longest time. */
function runTimeUnit(report: RunReport): TimeUnit {
  return timeUnitFor(report.networks.reduce((max, n) => Math.max(max, n.endMs), report.makespanMs));
}

function describeSteps(report: RunReport): string {
  const counts = { init: 0, load: 0, exec: 0, free: 0 };
  const lanes = new Set<number>();
  for (const step of report.steps) {
    counts[step.kind]++;
    lanes.add(step.worker);
  }
  return `${counts.init} init, ${counts.load} load, ${counts.exec} exec, ${counts.free} free on ${lanes.size} lane${lanes.size === 1 ? "" : "s"}`;
}

function networkTable(report: RunReport, maxRows: number): string {
  const networks = networksInArrivalOrder(report.networks);
  const unit = runTimeUnit(report);
  const withTop1 = networks.some((n) => n.top1 !== undefined);
  const withDigest = networks.some((n) => n.outputDigest !== undefined);
  const columns: TextColumn[] = [
    { header: "network" },
    { header: "inst", align: "right" },
    ...["arrival", "start", "end", "wait", "response"].map((h) => ({ header: `${h} (${unit.name})`, align: "right" as const })),
  ];
  if (withTop1) columns.push({ header: "top1", align: "right" });
  if (withDigest) columns.push({ header: "output digest" });
  const shown = networks.length > maxRows ? networks.slice(0, Math.max(0, maxRows - 1)) : networks;
  const rows: TextRow[] = shown.map((n) => {
    const row = [
      n.name,
      String(n.instance),
      unit.format(n.arrivalMs),
      unit.format(n.startMs),
      unit.format(n.endMs),
      unit.format(n.waitMs),
      unit.format(n.responseMs),
    ];
    if (withTop1) row.push(n.top1 === undefined ? "" : String(n.top1));
    // 16 hex digits tell digests apart at a glance; the full digest is in --json.
    if (withDigest) row.push(n.outputDigest === undefined ? "" : n.outputDigest.slice(0, 16));
    return row;
  });
  let table = renderTextTable(columns, rows, "  ");
  if (shown.length < networks.length) {
    table += `\n  ... ${networks.length - shown.length} more network instances (all of them are in --json and --csv)`;
  }
  return table;
}

/** Averages per network name, shown only when some network arrived more than once. */
function perNetworkTable(report: RunReport, unit: TimeUnit): string | undefined {
  const byName = new Map<string, NetworkRecord[]>();
  for (const n of networksInArrivalOrder(report.networks)) {
    const list = byName.get(n.name) ?? [];
    list.push(n);
    byName.set(n.name, list);
  }
  if ([...byName.values()].every((list) => list.length === 1)) return undefined;
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  const rows: TextRow[] = [...byName].map(([name, list]) => [
    name,
    String(list.length),
    unit.format(mean(list.map((n) => n.waitMs))),
    unit.format(mean(list.map((n) => n.responseMs))),
    unit.format(Math.max(...list.map((n) => n.responseMs))),
  ]);
  const columns: TextColumn[] = [
    { header: "per network" },
    { header: "runs", align: "right" },
    { header: `mean wait (${unit.name})`, align: "right" },
    { header: `mean response (${unit.name})`, align: "right" },
    { header: `max response (${unit.name})`, align: "right" },
  ];
  return renderTextTable(columns, rows, "  ");
}
