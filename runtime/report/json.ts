// `--json`: the report as JSON with a fixed key order (the contract's order, then any extra fields sorted),
// one object per run and an array for sweeps; steps, networks and samples one per line so files diff well.
import type { MemorySample, NetworkRecord, RunReport, StepRecord } from "./types.ts";

const RUN_KEYS = [
  "pipeline",
  "policy",
  "memoryBudgetBytes",
  "workers",
  "simulated",
  "profile",
  "seed",
  "makespanMs",
  "lowerBoundMs",
  "meanResponseMs",
  "p95ResponseMs",
  "peakAccountedBytes",
  "baselineRssBytes",
  "peakRssBytes",
  "interrupted",
  "warnings",
  "admission",
  "lanes",
  "networks",
  "steps",
  "memory",
] as const satisfies readonly (keyof RunReport)[];

const NETWORK_KEYS = [
  "name",
  "instance",
  "arrivalMs",
  "startMs",
  "endMs",
  "waitMs",
  "responseMs",
  "outputDigest",
  "top1",
] as const satisfies readonly (keyof NetworkRecord)[];

const STEP_KEYS = [
  "network",
  "instance",
  "layer",
  "kind",
  "worker",
  "startMs",
  "endMs",
  "bytes",
] as const satisfies readonly (keyof StepRecord)[];

const SAMPLE_KEYS = ["atMs", "accountedBytes", "rssBytes"] as const satisfies readonly (keyof MemorySample)[];

/** A plain object: known keys in `order` first, then the rest sorted; undefined values dropped. */
function ordered(value: object, order: readonly string[]): Record<string, unknown> {
  const source = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of order) if (source[key] !== undefined) out[key] = source[key];
  for (const key of Object.keys(source).sort()) {
    if (!order.includes(key) && source[key] !== undefined) out[key] = canonical(source[key]);
  }
  return out;
}

/** Extra (non-contract) values: objects get sorted keys so that the output never depends on insertion order. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === "object") return ordered(value, []);
  return value;
}

/** The run in the JSON key order. */
export function orderedReport(report: RunReport): Record<string, unknown> {
  const out = ordered(report, RUN_KEYS);
  out.networks = report.networks.map((n) => ordered(n, NETWORK_KEYS));
  out.steps = report.steps.map((s) => ordered(s, STEP_KEYS));
  out.memory = report.memory.map((m) => ordered(m, SAMPLE_KEYS));
  return out;
}

/** `--json` text: an object for one report, an array for a list (a sweep), newline-terminated. */
export function toJson(reports: RunReport | readonly RunReport[]): string {
  if (Array.isArray(reports)) {
    if (reports.length === 0) return "[]\n";
    return "[\n" + reports.map((r) => indent(runJson(r), "  ")).join(",\n") + "\n]\n";
  }
  return runJson(reports as RunReport) + "\n";
}

function runJson(report: RunReport): string {
  const run = orderedReport(report);
  const fields = Object.entries(run).map(([key, value]) => {
    if (Array.isArray(value) && (key === "networks" || key === "steps" || key === "memory")) {
      const items = value.map((item) => "    " + JSON.stringify(item));
      return `  ${JSON.stringify(key)}: ` + (items.length === 0 ? "[]" : `[\n${items.join(",\n")}\n  ]`);
    }
    return `  ${JSON.stringify(key)}: ${JSON.stringify(value)}`;
  });
  return `{\n${fields.join(",\n")}\n}`;
}

function indent(text: string, prefix: string): string {
  return text
    .split("\n")
    .map((line) => prefix + line)
    .join("\n");
}
