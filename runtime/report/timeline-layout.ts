// The timeline's geometry, computed once before anything is drawn: the time shown and its x scale, a colour per
// network, where each legend item goes, the rows from top to bottom (arrivals strip, a lane per worker with its
// bars, the time axis, the memory panel) and the picture's size. Pure: numbers only, no SVG.
import { laneBars, type LaneBar } from "./lane-bars.ts";
import { networkColour, type NetworkColour, textWidth } from "./svg.ts";
import type { TimelineOptions } from "./timeline.ts";
import { timeTicks } from "./ticks.ts";
import type { RunReport, StepRecord } from "./types.ts";

export const MARGIN_LEFT = 118;
const MARGIN_RIGHT = 28;
export const LANE_HEIGHT = 26;
const LANE_GAP = 12;
const MEMORY_HEIGHT = 170;
/** Bars narrower than this merge with neighbours (see lane-bars.ts). */
const MIN_BAR_PX = 2;

/** A worker's row: its steps, and the bars they make at this scale. */
export interface TimelineLane {
  worker: number;
  label: string;
  steps: StepRecord[];
  bars: LaneBar[];
  /** y of the lane's top edge. */
  top: number;
}

/** What a legend item's key shows: a network's colour, or one kind of mark the chart uses. */
export type LegendKey = { kind: "network"; colour: string } | { kind: "exec" | "load" | "init" | "free" | "merged" };

/** A legend item: its key at (x, y - 10), its label at (x + 18, y). */
export interface LegendItem {
  label: string;
  key: LegendKey;
  x: number;
  y: number;
}

export interface TimelineLayout {
  /** The drawable part of the report (see drawable), cut to the window when there is one. */
  report: RunReport;
  window?: { fromMs: number; toMs: number };
  /** The time shown, and its scale. */
  fromMs: number;
  toMs: number;
  x(ms: number): number;
  width: number;
  height: number;
  /** The plot area's left and right edges, and its width. */
  left: number;
  right: number;
  plotWidth: number;
  /** Prefix of the SVG's element ids. */
  id: string;
  /** Network names in colour order (the whole run's), and their colours. */
  names: string[];
  colours: Map<string, NetworkColour & { index: number }>;
  legend: LegendItem[];
  arrivalsY: number;
  lanesTop: number;
  lanesBottom: number;
  lanes: TimelineLane[];
  /** y of the time axis under the lanes. */
  axisY: number;
  /** The memory panel's rows; `extentBytes` fixes its axis (a sweep page's shared one). */
  memory: { top: number; bottom: number; extentBytes?: number };
  ticks: { value: number; label: string }[];
}

/**
 * The drawable part of a report: steps, samples and arrivals with finite times (an interrupted run may
 * leave some unset). Drawing NaN would break the whole picture; leaving one step out breaks nothing else.
 */
export function drawable(report: RunReport): RunReport {
  const finite = Number.isFinite;
  return {
    ...report,
    makespanMs: finite(report.makespanMs) ? report.makespanMs : 0,
    steps: report.steps.filter((s) => finite(s.startMs) && finite(s.endMs) && s.endMs >= s.startMs),
    networks: report.networks.filter((n) => finite(n.arrivalMs)),
    memory: report.memory.filter((m) => finite(m.atMs) && finite(m.accountedBytes)),
  };
}

export function timeExtentOf(report: RunReport): number {
  let end = report.makespanMs;
  for (const s of report.steps) end = Math.max(end, s.endMs);
  for (const m of report.memory) end = Math.max(end, m.atMs);
  return end > 0 ? end : 1;
}

/**
 * Network names in order of first arrival, ties in the report's own order (the pipeline's), then any only
 * seen in steps. This fixes their colours, so it must not depend on the policy (start order would).
 */
export function networkOrder(report: RunReport): string[] {
  const names: string[] = [];
  const byArrival = report.networks.map((n, i) => ({ n, i })).sort((a, b) => a.n.arrivalMs - b.n.arrivalMs || a.i - b.i);
  for (const { n } of byArrival) if (!names.includes(n.name)) names.push(n.name);
  for (const s of report.steps) if (!names.includes(s.network)) names.push(s.network);
  return names;
}

interface Lane {
  worker: number;
  label: string;
  steps: StepRecord[];
}

/**
 * Every lane the run had (`lanes` when the scheduler reports it, else the workers), idle or not, plus any
 * other lane a step names. Lanes are worker threads; what each one ran is said under its name.
 */
function lanesOf(report: RunReport): Lane[] {
  const byWorker = new Map<number, StepRecord[]>();
  for (let w = 0; w < (report.lanes ?? report.workers); w++) byWorker.set(w, []);
  for (const s of report.steps) {
    const list = byWorker.get(s.worker);
    if (list) list.push(s);
    else byWorker.set(s.worker, [s]);
  }
  return [...byWorker.keys()]
    .sort((a, b) => a - b)
    .map((worker) => ({ worker, label: `worker ${worker}`, steps: byWorker.get(worker) ?? [] }));
}

/** The whole chart's geometry for `fullReport` drawn with `options`. */
export function timelineLayout(fullReport: RunReport, options: TimelineOptions): TimelineLayout {
  const whole = drawable(fullReport);
  const width = Math.max(480, options.widthPx ?? 1200);
  const id = (options.idPrefix ?? "tl-").replace(/[^A-Za-z0-9_-]/g, "_");
  const window = options.window;
  if (window && !(Number.isFinite(window.fromMs) && Number.isFinite(window.toMs) && window.fromMs < window.toMs)) {
    throw new RangeError(`timeline window ${window.fromMs}..${window.toMs} ms: the start must be a time before the end`);
  }
  const fromMs = window?.fromMs ?? 0;
  const toMs = window?.toMs ?? options.timeExtentMs ?? timeExtentOf(whole);
  const extentMs = toMs - fromMs;
  const plotWidth = width - MARGIN_LEFT - MARGIN_RIGHT;
  const pxPerMs = plotWidth / extentMs;
  // Colours come from the whole run, so a window colours networks as the full chart does.
  const names = [...(options.networkOrder ?? [])];
  for (const name of networkOrder(whole)) if (!names.includes(name)) names.push(name);
  const colours = new Map(names.map((name, index) => [name, { ...networkColour(index), index }]));
  const report: RunReport = window
    ? {
        ...whole,
        steps: whole.steps.filter((s) => s.endMs >= fromMs && s.startMs <= toMs),
        networks: whole.networks.filter((n) => n.arrivalMs >= fromMs && n.arrivalMs <= toMs),
      }
    : whole;
  const lanes = lanesOf(report);
  const barsByLane = lanes.map((lane) =>
    laneBars(
      lane.steps.filter((s) => s.kind !== "free"),
      pxPerMs,
      MIN_BAR_PX,
    ),
  );
  const allBars = barsByLane.flat();
  const has = {
    exec: allBars.some((b) => b.kinds.includes("exec")),
    load: allBars.some((b) => b.kinds.includes("load")),
    init: allBars.some((b) => b.kinds.includes("init")),
    free: report.steps.some((s) => s.kind === "free"),
    merged: allBars.some((b) => b.networks.length > 1 || b.kinds.length > 1),
  };

  // Legend, under the title and subtitle: networks, then the keys of what the chart shows, in rows.
  const legend: LegendItem[] = [];
  let y = 66;
  let x = 16;
  const legendItem = (label: string, key: LegendKey) => {
    const w = 18 + textWidth(label, 12) + 16;
    if (x + w > width - MARGIN_RIGHT) {
      x = 16;
      y += 20;
    }
    legend.push({ label, key, x, y });
    x += w;
  };
  for (const name of names) {
    const colour = colours.get(name);
    if (!colour) continue;
    legendItem(name, { kind: "network", colour: colour.solid });
  }
  x += 12;
  if (has.exec) legendItem("exec", { kind: "exec" });
  if (has.load) legendItem("load (weights)", { kind: "load" });
  if (has.init) legendItem("init ▼", { kind: "init" });
  if (has.free) legendItem("free (tick under the lane)", { kind: "free" });
  if (has.merged) legendItem("steps too short to draw apart: stacked by share of time (hover)", { kind: "merged" });

  // Arrivals strip above the lanes.
  const arrivalsY = y + 30;
  const lanesTop = arrivalsY + 16;
  const lanesBottom = lanesTop + lanes.length * (LANE_HEIGHT + LANE_GAP) - LANE_GAP;
  const axisY = lanesBottom + LANE_GAP;
  const memoryTop = axisY + 48;
  const memoryBottom = memoryTop + MEMORY_HEIGHT;
  const height = memoryBottom + 46;
  const ticks = timeTicks(toMs, Math.max(2, Math.floor(plotWidth / 90)), fromMs);

  return {
    report,
    ...(window ? { window } : {}),
    fromMs,
    toMs,
    x: (ms) => MARGIN_LEFT + (ms - fromMs) * pxPerMs,
    width,
    height,
    left: MARGIN_LEFT,
    right: width - MARGIN_RIGHT,
    plotWidth,
    id,
    names,
    colours,
    legend,
    arrivalsY,
    lanesTop,
    lanesBottom,
    lanes: lanes.map((lane, k) => ({ ...lane, bars: barsByLane[k] ?? [], top: lanesTop + k * (LANE_HEIGHT + LANE_GAP) })),
    axisY,
    memory: { top: memoryTop, bottom: memoryBottom, extentBytes: options.memoryExtentBytes },
    ticks,
  };
}
