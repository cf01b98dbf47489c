// Writing reports to disk (`--json FILE`, `--csv DIR`, `--timeline FILE.svg|.html`): the only report module
// that touches the file system, so the renderers stay free of runtime APIs.
import { basename, dirname, extname, join } from "node:path";
import { writeFileAtomically } from "../host/write-file.ts";
import { layersCsv, networksCsv, stepsCsv } from "./csv.ts";
import { toJson } from "./json.ts";
import { formatBudget } from "./quantity.ts";
import { renderTimeline, renderTimelinePage, type TimelineFormat, type TimelineOptions } from "./timeline.ts";
import { networkOrder as timelineNetworkOrder } from "./timeline-layout.ts";
import type { RunReport } from "./types.ts";

/**
 * Whole or not at all (a temp file renamed over it), so an interrupted run never leaves a half-written or
 * emptied report. Missing folders are created, as a library caller expects; the CLI allows only the last
 * level of a path (cli/output-paths.ts) before anything runs.
 */
async function writeText(path: string, text: string): Promise<void> {
  writeFileAtomically(path, text, "all");
}

function asList(reports: RunReport | readonly RunReport[]): readonly RunReport[] {
  return Array.isArray(reports) ? reports : [reports as RunReport];
}

/** Writes `toJson(reports)`: an object for one report, an array for a list. */
export async function writeJson(path: string, reports: RunReport | readonly RunReport[]): Promise<void> {
  await writeText(path, toJson(reports));
}

/** Writes steps.csv, networks.csv and layers.csv into `dir` (created if missing); returns their paths. */
export async function writeCsv(dir: string, reports: RunReport | readonly RunReport[]): Promise<string[]> {
  const files: [string, string][] = [
    [join(dir, "steps.csv"), stepsCsv(reports)],
    [join(dir, "networks.csv"), networksCsv(reports)],
    [join(dir, "layers.csv"), layersCsv(reports)],
  ];
  for (const [path, text] of files) await writeText(path, text);
  return files.map(([path]) => path);
}

/** The timeline format a path asks for by its extension, or undefined (so a CLI can refuse it up front). */
export function timelineFormatOf(path: string): TimelineFormat | undefined {
  const ext = extname(path).toLowerCase();
  return ext === ".svg" ? "svg" : ext === ".html" || ext === ".htm" ? "html" : undefined;
}

/** A file-name-safe piece: letters, digits, dot, dash, underscore. */
function slug(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]+/g, "_");
}

function budgetSlug(bytes: number | null): string {
  // As the user wrote it (512MB, 1GiB), not 512000000B; bytes when it is no whole number of a unit.
  const text = formatBudget(bytes);
  return /^(\d+ [MG]i?B|unlimited)$/.test(text) ? text.replace(" ", "") : `${bytes}B`;
}

/**
 * Where each run's SVG goes: the path itself for one run; for a sweep, the path with a suffix naming what
 * differs (`t.svg` -> `t-mema-512MiB.svg`, plus workers, seed or pipeline when they vary), always unique.
 */
export function timelinePaths(path: string, reports: readonly RunReport[]): string[] {
  if (reports.length <= 1) return reports.map(() => path);
  const ext = extname(path);
  const stem = join(dirname(path), basename(path, ext));
  const varies = (key: (r: RunReport) => unknown) => new Set(reports.map(key)).size > 1;
  const parts: ((r: RunReport) => string)[] = [];
  if (varies((r) => r.pipeline)) parts.push((r) => slug(r.pipeline));
  parts.push((r) => slug(r.policy));
  if (varies((r) => r.admission ?? "ledger")) parts.push((r) => r.admission ?? "ledger");
  parts.push((r) => budgetSlug(r.memoryBudgetBytes));
  if (varies((r) => r.workers)) parts.push((r) => `w${r.workers}`);
  if (varies((r) => r.seed)) parts.push((r) => `seed${r.seed}`);
  if (varies((r) => r.simulated)) parts.push((r) => (r.simulated ? "sim" : "real"));
  const seen = new Map<string, number>();
  return reports.map((r) => {
    let name = `${stem}-${parts.map((part) => part(r)).join("-")}`;
    const count = seen.get(name) ?? 0;
    seen.set(name, count + 1);
    if (count > 0) name += `-${count + 1}`;
    return name + ext;
  });
}

/**
 * Writes the timeline(s), the format from the extension: one SVG per run (suffixed for sweeps), or one
 * HTML page holding every run on a shared scale. Returns the paths written.
 */
export async function writeTimeline(
  path: string,
  reports: RunReport | readonly RunReport[],
  options: Omit<TimelineOptions, "format"> = {},
): Promise<string[]> {
  const format = timelineFormatOf(path);
  if (!format) throw new Error(`${path}: a timeline file must end in .svg or .html`);
  const list = asList(reports);
  if (format === "html") {
    await writeText(path, list.length === 1 && list[0] ? renderTimeline(list[0], { ...options, format }) : renderTimelinePage(list, options));
    return [path];
  }
  const paths = timelinePaths(path, list);
  // The same colour for a network in every file of the sweep.
  const networkOrder = [...(options.networkOrder ?? [])];
  for (const r of list) for (const name of timelineNetworkOrder(r)) if (!networkOrder.includes(name)) networkOrder.push(name);
  for (const [i, r] of list.entries()) await writeText(paths[i] ?? path, renderTimeline(r, { ...options, networkOrder, format }));
  return paths;
}

/** Where `mema run` / `mema compare` were asked to write reports (`--json`, `--csv`, `--timeline`). */
export interface ReportTargets {
  jsonPath?: string;
  csvDir?: string;
  timelinePath?: string;
}

/**
 * Writes every requested report for the run(s): JSON as one object for a single run and an array for a
 * sweep, the CSV trio, the timeline(s). Returns the paths written, for the CLI to print.
 */
export async function writeReportFiles(
  reports: RunReport | readonly RunReport[],
  targets: ReportTargets,
  timelineOptions: Omit<TimelineOptions, "format"> = {},
): Promise<string[]> {
  const written: string[] = [];
  const list = asList(reports);
  const jsonValue = Array.isArray(reports) && reports.length === 1 ? (reports[0] as RunReport) : reports;
  if (targets.jsonPath !== undefined) {
    await writeJson(targets.jsonPath, jsonValue);
    written.push(targets.jsonPath);
  }
  if (targets.csvDir !== undefined) written.push(...(await writeCsv(targets.csvDir, list)));
  if (targets.timelinePath !== undefined) written.push(...(await writeTimeline(targets.timelinePath, list, timelineOptions)));
  return written;
}
