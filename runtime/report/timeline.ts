// `--timeline`: a Gantt chart of a run (a row per worker and loading lane, steps coloured by network, loads
// hatched, execs solid, inits and frees marked) above the accounted memory over time against the budget,
// as standalone SVG or as self-contained HTML with hover tooltips. Pure: text in, text out.
import { laneBars, type LaneBar } from "./lane-bars.ts";
import { formatBudget, formatBytes, formatMs, formatRatio } from "./quantity.ts";
import { networksInArrivalOrder } from "./summary.ts";
import { type Canvas, escapeXml, FONT, networkColour, type NetworkColour, px, text, textWidth } from "./svg.ts";
import { drawMemory, memoryExtentOf } from "./timeline-memory.ts";
import { htmlPage, runIndex } from "./timeline-page.ts";
import { timeTicks } from "./ticks.ts";
import type { RunReport, StepRecord } from "./types.ts";

export type TimelineFormat = "svg" | "html";

export interface TimelineOptions {
  format?: TimelineFormat;
  /** Width of the picture; default 1200. */
  widthPx?: number;
  /** End of the time axis, to draw several runs on one scale; default the run's makespan. */
  timeExtentMs?: number;
  /**
   * Draw only this stretch of time (a long run's detail); steps crossing its edges are cut at the edges,
   * busy shares are those of the window. Default: from 0 to the time extent.
   */
  window?: { fromMs: number; toMs: number };
  /** Top of the memory axis, to draw several runs on one scale; default the run's own maximum. */
  memoryExtentBytes?: number;
  /** Network names in colour order (to keep colours across the runs of a sweep); default networkOrder(report). */
  networkOrder?: readonly string[];
  /** Prefix of the SVG's element ids, unique per chart when several share one HTML page. */
  idPrefix?: string;
}

const MARGIN_LEFT = 118;
const MARGIN_RIGHT = 28;
const LANE_HEIGHT = 26;
const LANE_GAP = 12;
const MEMORY_HEIGHT = 170;
/** Bars narrower than this merge with neighbours (see lane-bars.ts). */
const MIN_BAR_PX = 2;
/** Narrower bars are drawn this wide, so that a very short step stays visible. */
const VISIBLE_BAR_PX = 0.6;

/** The run as an SVG document, or as an HTML page holding it with hover tooltips. */
export function renderTimeline(report: RunReport, options: TimelineOptions = {}): string {
  const svg = timelineSvg(report, options);
  if ((options.format ?? "svg") === "svg") return `<?xml version="1.0" encoding="UTF-8"?>\n${svg}`;
  return htmlPage(timelineTitle(report), [svg]);
}

/** One HTML page with the timelines of several runs (a sweep), on one time and memory scale so they compare. */
export function renderTimelinePage(reports: readonly RunReport[], options: Omit<TimelineOptions, "format"> = {}): string {
  const timeExtentMs = options.timeExtentMs ?? Math.max(1, ...reports.map((r) => timeExtentOf(drawable(r))));
  const memoryExtentBytes = options.memoryExtentBytes ?? Math.max(1, ...reports.map((r) => memoryExtentOf(drawable(r))));
  // One colour per network across all runs.
  const order = [...(options.networkOrder ?? [])];
  for (const r of reports) for (const name of networkOrder(r)) if (!order.includes(name)) order.push(name);
  const svgs = reports.map((r, i) =>
    timelineSvg(r, { ...options, timeExtentMs, memoryExtentBytes, networkOrder: order, idPrefix: `run${i}-` }),
  );
  const title = reports.length === 1 && reports[0] ? timelineTitle(reports[0]) : `Mema: ${reports.length} runs`;
  return htmlPage(title, svgs, reports.length > 1 ? runIndex(reports) : "");
}

/** Title line: pipeline, policy, budget, makespan. */
export function timelineTitle(report: RunReport): string {
  const admission = report.admission === "edgecaffe" ? " (EdgeCaffe admission)" : "";
  const interrupted = report.interrupted ? " · INTERRUPTED" : "";
  return `${report.pipeline} · policy ${report.policy}${admission} · budget ${formatBudget(report.memoryBudgetBytes)} · makespan ${formatMs(report.makespanMs)}${interrupted}`;
}

function timeExtentOf(report: RunReport): number {
  let end = report.makespanMs;
  for (const s of report.steps) end = Math.max(end, s.endMs);
  for (const m of report.memory) end = Math.max(end, m.atMs);
  return end > 0 ? end : 1;
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

/** "loads only" / "execs only" when a lane ran one kind of work (besides inits and frees). */
function laneRole(steps: StepRecord[]): string {
  const loads = steps.some((s) => s.kind === "load");
  const execs = steps.some((s) => s.kind === "exec");
  return loads && !execs ? ", loads only" : execs && !loads ? ", execs only" : "";
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

/** Busy share of the lane between `fromMs` and `toMs`: the union of its steps over that time. */
function busyShare(steps: StepRecord[], fromMs: number, toMs: number): number {
  const sorted = steps.filter((s) => s.kind !== "free").sort((a, b) => a.startMs - b.startMs);
  let busy = 0;
  let until = fromMs;
  for (const s of sorted) {
    const from = Math.max(s.startMs, until);
    const to = Math.min(s.endMs, toMs);
    if (to > from) busy += to - from;
    until = Math.max(until, s.endMs);
  }
  return toMs > fromMs ? busy / (toMs - fromMs) : 0;
}

function stepLine(s: StepRecord): string {
  const what = s.kind === "init" ? "init" : `${s.kind} ${s.layer}`;
  const bytes = s.bytes > 0 ? `, ${formatBytes(s.bytes)}` : "";
  return `${s.network} #${s.instance} ${what}: ${formatMs(s.startMs)} → ${formatMs(s.endMs)} (${formatMs(s.endMs - s.startMs)}${bytes})`;
}

/** Tooltip text: the step itself, or what a merged bar holds per network instance. */
function barTooltip(bar: LaneBar, laneLabel: string): string {
  const first = bar.steps[0];
  if (bar.steps.length === 1 && first) return `${stepLine(first)}\non ${laneLabel}`;
  const lines = [`${bar.steps.length} short steps merged: ${formatMs(bar.startMs)} → ${formatMs(bar.endMs)}, on ${laneLabel}`];
  const groups = new Map<string, StepRecord[]>();
  for (const s of bar.steps) {
    const key = `${s.network} #${s.instance}`;
    const list = groups.get(key);
    if (list) list.push(s);
    else groups.set(key, [s]);
  }
  // A tooltip is read, not scrolled: a dozen instances at most, the rest counted.
  const MAX_INSTANCES = 12;
  let shown = 0;
  for (const [key, steps] of groups) {
    if (shown++ === MAX_INSTANCES) {
      lines.push(`... and ${groups.size - MAX_INSTANCES} more network instances`);
      break;
    }
    const kinds = (["init", "load", "exec"] as const)
      .map((k) => [k, steps.filter((s) => s.kind === k)] as const)
      .filter(([, list]) => list.length > 0)
      .map(([k, list]) => {
        const layers = list.map((s) => s.layer).filter((l) => l !== "");
        const span = layers.length === 0 ? "" : layers.length === 1 ? ` ${layers[0]}` : ` ${layers[0]}..${layers[layers.length - 1]}`;
        return `${list.length} ${k}${span}`;
      });
    const bytes = steps.reduce((sum, s) => sum + s.bytes, 0);
    lines.push(`${key}: ${kinds.join(", ")}${bytes > 0 ? ` (${formatBytes(bytes)})` : ""}`);
  }
  return lines.join("\n");
}

/**
 * The drawable part of a report: steps, samples and arrivals with finite times (an interrupted run may
 * leave some unset). Drawing NaN would break the whole picture; leaving one step out breaks nothing else.
 */
function drawable(report: RunReport): RunReport {
  const finite = Number.isFinite;
  return {
    ...report,
    makespanMs: finite(report.makespanMs) ? report.makespanMs : 0,
    steps: report.steps.filter((s) => finite(s.startMs) && finite(s.endMs) && s.endMs >= s.startMs),
    networks: report.networks.filter((n) => finite(n.arrivalMs)),
    memory: report.memory.filter((m) => finite(m.atMs) && finite(m.accountedBytes)),
  };
}

function timelineSvg(fullReport: RunReport, options: TimelineOptions): string {
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
  const c: Canvas = { out: [], x: (ms) => MARGIN_LEFT + (ms - fromMs) * pxPerMs, left: MARGIN_LEFT, right: width - MARGIN_RIGHT, colours, id };
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

  // Title and subtitle.
  text(c, 16, 26, timelineTitle(report), `font-size="16" font-weight="600"`);
  const source = report.simulated ? `simulated${report.profile ? ` on profile ${report.profile}` : ""}, seed ${report.seed}` : "real run";
  const subtitle = [
    `${report.workers} worker${report.workers === 1 ? "" : "s"}`,
    source,
    `lower bound ${formatMs(report.lowerBoundMs)} (makespan ${formatRatio(report.makespanMs, report.lowerBoundMs)})`,
    `response mean ${formatMs(report.meanResponseMs)}, p95 ${formatMs(report.p95ResponseMs)}`,
    `peak accounted ${formatBytes(report.peakAccountedBytes)}`,
  ].join(" · ");
  text(c, 16, 45, window ? `showing ${formatMs(fromMs)} to ${formatMs(toMs)} · ${subtitle}` : subtitle, `font-size="12" fill="#555"`);

  // Legend: networks, then the keys of what the chart shows.
  let y = 66;
  let x = 16;
  const legendItem = (label: string, draw: (x: number, y: number) => void) => {
    const w = 18 + textWidth(label, 12) + 16;
    if (x + w > width - MARGIN_RIGHT) {
      x = 16;
      y += 20;
    }
    draw(x, y - 10);
    text(c, x + 18, y, label, `font-size="12"`);
    x += w;
  };
  for (const name of names) {
    const colour = colours.get(name);
    if (!colour) continue;
    legendItem(name, (lx, ly) => c.out.push(`<rect x="${lx}" y="${ly}" width="12" height="12" fill="${colour.solid}"/>`));
  }
  x += 12;
  if (has.exec) legendItem("exec", (lx, ly) => c.out.push(`<rect x="${lx}" y="${ly}" width="12" height="12" fill="#707070"/>`));
  if (has.load) legendItem("load (weights)", (lx, ly) => c.out.push(`<rect x="${lx}" y="${ly}" width="12" height="12" fill="url(#${id}load-key)" stroke="#707070" stroke-width="0.5"/>`));
  if (has.init) {
    legendItem("init ▼", (lx, ly) => c.out.push(`<rect x="${lx}" y="${ly}" width="12" height="12" fill="#303030"/>`));
  }
  if (has.free) {
    legendItem("free (tick under the lane)", (lx, ly) => c.out.push(`<path d="M${lx + 6} ${ly + 2}v9" stroke="#303030" stroke-width="1.5"/>`));
  }
  if (has.merged) {
    const [a, b, d] = [0, 1, 2].map((i) => networkColour(i).solid);
    legendItem("steps too short to draw apart: stacked by share of time (hover)", (lx, ly) =>
      c.out.push(`<rect x="${lx}" y="${ly}" width="12" height="5" fill="${a}"/><rect x="${lx}" y="${ly + 5}" width="12" height="4" fill="${b}"/><rect x="${lx}" y="${ly + 9}" width="12" height="3" fill="${d}"/>`),
    );
  }

  // Arrivals strip above the lanes.
  const arrivalsY = y + 30;
  const lanesTop = arrivalsY + 16;
  const lanesBottom = lanesTop + lanes.length * (LANE_HEIGHT + LANE_GAP) - LANE_GAP;
  const axisY = lanesBottom + LANE_GAP;
  const memoryTop = axisY + 48;
  const memoryBottom = memoryTop + MEMORY_HEIGHT;
  const height = memoryBottom + 46;
  const ticks = timeTicks(toMs, Math.max(2, Math.floor(plotWidth / 90)), fromMs);

  // Grid lines first, under everything.
  for (const t of ticks) {
    const gx = px(c.x(t.value));
    c.out.push(`<path d="M${gx} ${arrivalsY - 8}V${lanesBottom}M${gx} ${memoryTop}V${memoryBottom}" stroke="#e4e4e4" stroke-width="1"/>`);
  }

  drawArrivals(c, report, arrivalsY);
  text(c, MARGIN_LEFT - 10, arrivalsY + 1, "arrivals", `font-size="11" fill="#555" text-anchor="end"`);

  lanes.forEach((lane, k) => {
    const top = lanesTop + k * (LANE_HEIGHT + LANE_GAP);
    c.out.push(`<rect x="${MARGIN_LEFT}" y="${top}" width="${px(plotWidth)}" height="${LANE_HEIGHT}" fill="#f4f4f4"/>`);
    text(c, MARGIN_LEFT - 10, top + 12, lane.label, `font-size="12" font-weight="600" text-anchor="end"`);
    // Busy over the run (up to its makespan), or over the window.
    const busyTo = window ? toMs : report.makespanMs > 0 ? report.makespanMs : toMs;
    const busy = `${Math.round(100 * busyShare(lane.steps, fromMs, busyTo))}% busy${laneRole(lane.steps)}`;
    text(c, MARGIN_LEFT - 10, top + 24, busy, `font-size="10" fill="#666" text-anchor="end"`);
    c.out.push(`<g class="lane" data-worker="${lane.worker}" clip-path="url(#${id}plot-clip)">`);
    for (const bar of barsByLane[k] ?? []) drawBar(c, bar, top, lane.label);
    c.out.push(`</g>`, `<g clip-path="url(#${id}marker-clip)">`);
    drawMarkers(c, lane.steps, top);
    c.out.push(`</g>`);
  });

  // Where the run ended: samples may go on after it, and a sweep page draws every run on the longest axis.
  if (report.makespanMs > fromMs && report.makespanMs <= toMs) {
    const mx = c.x(report.makespanMs);
    c.out.push(
      `<path class="makespan" d="M${px(mx)} ${lanesTop - 4}V${lanesBottom + 2}M${px(mx)} ${memoryTop}V${memoryBottom}" stroke="#333" stroke-width="1" stroke-dasharray="3 3"/>`,
    );
    const label = `end ${formatMs(report.makespanMs)}`;
    const fitsRight = mx + 4 + textWidth(label, 10) <= width - 4;
    // Above the arrivals strip, where no arrival count can sit.
    c.out.push(`<path d="M${px(mx)} ${arrivalsY - 18}V${lanesTop - 4}" stroke="#333" stroke-width="1" stroke-dasharray="3 3"/>`);
    text(c, fitsRight ? mx + 4 : mx - 4, arrivalsY - 11, label, `font-size="10" fill="#333" text-anchor="${fitsRight ? "start" : "end"}"`);
  }

  // Time axis under the lanes.
  drawTimeAxis(c, ticks, axisY, false);

  drawMemory(c, report, { top: memoryTop, bottom: memoryBottom, extentBytes: options.memoryExtentBytes });
  drawTimeAxis(c, ticks, memoryBottom + 4, true);

  const defs = patternDefs(id, [...colours.values()]).replace(
    "</defs>",
    // Bars are cut exactly at the plot's edges; markers (triangles 8 px wide) may stick out by half.
    `<clipPath id="${id}plot-clip"><rect x="${MARGIN_LEFT}" y="0" width="${px(plotWidth)}" height="${height}"/></clipPath>\n` +
      `<clipPath id="${id}marker-clip"><rect x="${MARGIN_LEFT - 5}" y="0" width="${px(plotWidth + 10)}" height="${height}"/></clipPath>\n</defs>`,
  );
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${escapeXml(FONT)}" role="img">`,
    `<title>${escapeXml(timelineTitle(report))}</title>`,
    defs,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    ...c.out,
    `</svg>`,
  ].join("\n");
}

function patternDefs(id: string, colours: (NetworkColour & { index: number })[]): string {
  const hatch = (name: string, background: string, stripe: string) =>
    `<pattern id="${id}${name}" width="5" height="5" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">` +
    `<rect width="5" height="5" fill="${background}"/><rect width="2" height="5" fill="${stripe}"/></pattern>`;
  return [
    "<defs>",
    ...colours.map((colour) => hatch(`load-${colour.index}`, colour.tint, colour.solid)),
    hatch("load-key", "#d4d4d4", "#707070"),
    "</defs>",
  ].join("\n");
}

function drawBar(c: Canvas, bar: LaneBar, top: number, laneLabel: string): void {
  const x0 = c.x(bar.startMs);
  const w = Math.max(VISIBLE_BAR_PX, c.x(bar.endMs) - x0);
  const tip = `<title>${escapeXml(barTooltip(bar, laneLabel))}</title>`;
  const geometry = `x="${px(x0)}" width="${px(w)}"`;
  // A thin white edge separates neighbouring wide bars (consecutive layers of one network).
  const edge = w >= 4 ? ` stroke="#ffffff" stroke-width="0.6"` : "";
  const attrs = `class="step" data-steps="${bar.steps.length}"`;
  const name = bar.networks[0] ?? "";
  const colour = c.colours.get(name);
  const fillOf = (network: string, kind: string) => {
    const col = c.colours.get(network);
    if (!col) return "#9a9a9a";
    return kind === "exec" ? col.solid : kind === "load" ? `url(#${c.id}load-${col.index})` : col.dark;
  };
  if (bar.networks.length === 1 && bar.kinds.length === 1 && colour) {
    const kind = bar.kinds[0] ?? "exec";
    const instances = new Set(bar.steps.map((s) => s.instance));
    const instance = instances.size === 1 ? ` data-instance="${bar.steps[0]?.instance ?? 0}"` : "";
    const network = `data-network="${escapeXml(name)}"${instance}`;
    c.out.push(`<rect ${attrs} data-kind="${kind}" ${network} ${geometry} y="${top}" height="${LANE_HEIGHT}" fill="${fillOf(name, kind)}"${edge}>${tip}</rect>`);
    return;
  }
  // Steps too short to draw one by one, of several networks or kinds: the bar is split top to bottom
  // by each (network, kind)'s share of the time, so it shows what ran there instead of one of them.
  const shares = new Map<string, { network: string; kind: string; order: number; ms: number }>();
  const kindOrder = { exec: 0, init: 1, load: 2, free: 3 } as const;
  for (const s of bar.steps) {
    const key = `${s.network}\u0000${s.kind}`;
    const entry = shares.get(key) ?? {
      network: s.network,
      kind: s.kind,
      order: (c.colours.get(s.network)?.index ?? 0) * 4 + kindOrder[s.kind],
      ms: 0,
    };
    // Zero-length steps still get a sliver of the bar.
    entry.ms += Math.max(s.endMs - s.startMs, 1e-6);
    shares.set(key, entry);
  }
  const parts = [...shares.values()].sort((a, b) => a.order - b.order);
  const totalMs = parts.reduce((sum, p) => sum + p.ms, 0);
  let y = top;
  const rects = parts.map((p) => {
    const h = (LANE_HEIGHT * p.ms) / totalMs;
    const rect = `<rect ${geometry} y="${px(y)}" height="${px(h)}" fill="${fillOf(p.network, p.kind)}"/>`;
    y += h;
    return rect;
  });
  c.out.push(`<g ${attrs} data-kind="merged">${tip}${rects.join("")}</g>`);
}

/** Init triangles above the lane and free ticks under it, one per pixel and network (they pile up otherwise). */
function drawMarkers(c: Canvas, steps: StepRecord[], top: number): void {
  const inits = new Map<string, Set<number>>();
  const frees = new Map<string, Set<number>>();
  for (const s of steps) {
    const target = s.kind === "init" ? inits : s.kind === "free" ? frees : undefined;
    if (!target) continue;
    const at = Math.round(c.x(s.kind === "free" ? s.endMs : s.startMs));
    const set = target.get(s.network) ?? new Set<number>();
    set.add(at);
    target.set(s.network, set);
  }
  for (const [name, xs] of inits) {
    const colour = c.colours.get(name);
    const d = [...xs].map((x) => `M${x - 4} ${top - 6}h8l-4 6z`).join("");
    c.out.push(`<path class="init-marker" d="${d}" fill="${colour?.solid ?? "#333"}" stroke="#202020" stroke-width="0.7"/>`);
  }
  for (const [name, xs] of frees) {
    const colour = c.colours.get(name);
    const bottom = top + LANE_HEIGHT;
    const d = [...xs].map((x) => `M${x} ${bottom + 1}v5`).join("");
    c.out.push(`<path class="free-marker" d="${d}" stroke="${colour?.dark ?? "#333"}" stroke-width="1"/>`);
  }
}

function drawArrivals(c: Canvas, report: RunReport, y: number): void {
  // Arrivals at the same pixel share one tick; its tooltip lists them.
  const byPixel = new Map<number, { names: string[]; atMs: number }>();
  for (const n of networksInArrivalOrder(report.networks)) {
    const at = Math.round(c.x(n.arrivalMs));
    const entry = byPixel.get(at) ?? { names: [], atMs: n.arrivalMs };
    entry.names.push(`${n.name} #${n.instance}`);
    byPixel.set(at, entry);
  }
  const xs = [...byPixel.keys()].sort((a, b) => a - b);
  for (const [k, at] of xs.entries()) {
    const entry = byPixel.get(at);
    if (!entry) continue;
    const single = entry.names.length === 1 ? report.networks.find((n) => `${n.name} #${n.instance}` === entry.names[0]) : undefined;
    const fill = single ? (c.colours.get(single.name)?.solid ?? "#444") : "#444";
    const tip = `${entry.names.length} arrival${entry.names.length === 1 ? "" : "s"} at ${formatMs(entry.atMs)}: ${entry.names.join(", ")}`;
    c.out.push(`<path class="arrival" d="M${at - 4} ${y - 8}h8l-4 8z" fill="${fill}"><title>${escapeXml(tip)}</title></path>`);
    // The count only where it fits before the next arrival (the tooltip always has it).
    const label = `×${entry.names.length}`;
    const room = (xs[k + 1] ?? Infinity) - at;
    if (entry.names.length > 1 && room > textWidth(label, 10) + 12) text(c, at + 6, y, label, `font-size="10" fill="#444"`);
  }
}

function drawTimeAxis(c: Canvas, ticks: { value: number; label: string }[], y: number, titled: boolean): void {
  const first = ticks[0];
  const last = ticks[ticks.length - 1];
  if (!first || !last) return;
  c.out.push(`<path d="M${MARGIN_LEFT} ${y}H${px(c.x(last.value))}" stroke="#888" stroke-width="1"/>`);
  for (const t of ticks) {
    const tx = c.x(t.value);
    c.out.push(`<path d="M${px(tx)} ${y}v4" stroke="#888" stroke-width="1"/>`);
    text(c, tx, y + 16, t.label, `font-size="11" fill="#444" text-anchor="middle"`);
  }
  if (titled) text(c, MARGIN_LEFT, y + 34, "time since the run started", `font-size="11" fill="#666"`);
}

