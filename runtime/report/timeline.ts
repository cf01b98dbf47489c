// `--timeline`: a Gantt chart of a run (a row per worker and loading lane, steps coloured by network, loads
// hatched, execs solid, inits and frees marked) above the accounted memory over time against the budget,
// as standalone SVG or as self-contained HTML with hover tooltips. Pure: text in, text out.
import { laneBars, type LaneBar } from "./lane-bars.ts";
import { formatBudget, formatBytes, formatMs, formatRatio } from "./quantity.ts";
import { networksInArrivalOrder } from "./summary.ts";
import { escapeXml, networkColour, type NetworkColour, px, textWidth } from "./svg.ts";
import { byteTicks, timeTicks } from "./ticks.ts";
import type { MemorySample, RunReport, StepRecord } from "./types.ts";

export type TimelineFormat = "svg" | "html";

export interface TimelineOptions {
  format?: TimelineFormat;
  /** Width of the picture; default 1200. */
  widthPx?: number;
  /** End of the time axis, to draw several runs on one scale; default the run's makespan. */
  timeExtentMs?: number;
  /** Top of the memory axis, to draw several runs on one scale; default the run's own maximum. */
  memoryExtentBytes?: number;
  /** Network names in colour order (to keep colours across the runs of a sweep); default networkOrder(report). */
  networkOrder?: readonly string[];
  /** Prefix of the SVG's element ids, unique per chart when several share one HTML page. */
  idPrefix?: string;
}

const FONT = "system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif";
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

function rssAboveBaseline(report: RunReport, sample: MemorySample): number | undefined {
  return sample.rssBytes === undefined ? undefined : sample.rssBytes - (report.baselineRssBytes ?? 0);
}

function memoryExtentOf(report: RunReport): number {
  let top = Math.max(report.memoryBudgetBytes ?? 0, report.peakAccountedBytes);
  for (const m of report.memory) top = Math.max(top, m.accountedBytes, rssAboveBaseline(report, m) ?? 0);
  return top > 0 ? top : 1;
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

/** Busy share of the lane's time: the union of its steps over the time extent. */
function busyShare(steps: StepRecord[], extentMs: number): number {
  const sorted = steps.filter((s) => s.kind !== "free").sort((a, b) => a.startMs - b.startMs);
  let busy = 0;
  let until = -Infinity;
  for (const s of sorted) {
    const from = Math.max(s.startMs, until);
    if (s.endMs > from) busy += s.endMs - from;
    until = Math.max(until, s.endMs);
  }
  return extentMs > 0 ? busy / extentMs : 0;
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
  for (const [key, steps] of groups) {
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

interface Canvas {
  out: string[];
  x(ms: number): number;
  colours: Map<string, NetworkColour & { index: number }>;
  id: string;
}

function text(c: Canvas, x: number, y: number, content: string, attrs = ""): void {
  c.out.push(`<text x="${px(x)}" y="${px(y)}"${attrs ? " " + attrs : ""}>${escapeXml(content)}</text>`);
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
  const report = drawable(fullReport);
  const width = Math.max(480, options.widthPx ?? 1200);
  const id = (options.idPrefix ?? "tl-").replace(/[^A-Za-z0-9_-]/g, "_");
  const extentMs = options.timeExtentMs ?? timeExtentOf(report);
  const plotWidth = width - MARGIN_LEFT - MARGIN_RIGHT;
  const pxPerMs = plotWidth / extentMs;
  const names = [...(options.networkOrder ?? [])];
  for (const name of networkOrder(report)) if (!names.includes(name)) names.push(name);
  const colours = new Map(names.map((name, index) => [name, { ...networkColour(index), index }]));
  const c: Canvas = { out: [], x: (ms) => MARGIN_LEFT + ms * pxPerMs, colours, id };
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
  text(c, 16, 45, subtitle, `font-size="12" fill="#555"`);

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
  const ticks = timeTicks(extentMs, Math.max(2, Math.floor(plotWidth / 90)));

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
    text(c, MARGIN_LEFT - 10, top + 24, `${Math.round(100 * busyShare(lane.steps, report.makespanMs > 0 ? report.makespanMs : extentMs))}% busy${laneRole(lane.steps)}`, `font-size="10" fill="#666" text-anchor="end"`);
    c.out.push(`<g class="lane" data-worker="${lane.worker}">`);
    for (const bar of barsByLane[k] ?? []) drawBar(c, bar, top, lane.label);
    c.out.push(`</g>`);
    drawMarkers(c, lane.steps, top);
  });

  // Where the run ended: samples may go on after it, and a sweep page draws every run on the longest axis.
  if (report.makespanMs > 0) {
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

  drawMemory(c, report, { top: memoryTop, bottom: memoryBottom, width, extentMs, options });
  drawTimeAxis(c, ticks, memoryBottom + 4, true);

  const defs = patternDefs(id, [...colours.values()]);
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

/**
 * Points of a step function (value held until the next sample) in pixels. Samples that land in the same
 * half-pixel column become one vertical stroke from their minimum to their maximum, so peaks survive.
 */
function stepPath(points: { x: number; v: number }[], toY: (v: number) => number): string[] {
  const out: string[] = [];
  let level = 0;
  let i = 0;
  while (i < points.length) {
    const first = points[i];
    if (!first) break;
    const column = Math.round(first.x * 2) / 2;
    let min = first.v;
    let max = first.v;
    let last = first.v;
    i++;
    while (i < points.length && Math.round((points[i]?.x ?? 0) * 2) / 2 === column) {
      const v = points[i]?.v ?? 0;
      min = Math.min(min, v);
      max = Math.max(max, v);
      last = v;
      i++;
    }
    const xs = px(column);
    out.push(`${xs},${px(toY(level))}`);
    if (max !== level || min !== level || last !== level) {
      out.push(`${xs},${px(toY(max))}`, `${xs},${px(toY(min))}`, `${xs},${px(toY(last))}`);
    }
    level = last;
  }
  return out;
}

/** A sampled line (RSS) thinned to the minimum and maximum of every pixel column. */
function sampledPath(points: { x: number; v: number }[], toY: (v: number) => number): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < points.length) {
    const first = points[i];
    if (!first) break;
    const column = Math.round(first.x);
    let lo = first;
    let hi = first;
    let last = first;
    i++;
    while (i < points.length && Math.round(points[i]?.x ?? 0) === column) {
      const p = points[i];
      if (!p) break;
      if (p.v < lo.v) lo = p;
      if (p.v > hi.v) hi = p;
      last = p;
      i++;
    }
    const ordered = lo === hi ? [first, last] : lo.x <= hi.x ? [first, lo, hi, last] : [first, hi, lo, last];
    for (const p of ordered) out.push(`${px(p.x)},${px(toY(p.v))}`);
  }
  return out;
}

function drawMemory(
  c: Canvas,
  report: RunReport,
  panel: { top: number; bottom: number; width: number; extentMs: number; options: TimelineOptions },
): void {
  const { top, bottom, width, extentMs } = panel;
  const ticks = byteTicks((panel.options.memoryExtentBytes ?? memoryExtentOf(report)) * 1.04, 5);
  const topBytes = ticks[ticks.length - 1]?.value ?? 1;
  const toY = (bytes: number) => bottom - (bytes / topBytes) * (bottom - top);
  const right = width - MARGIN_RIGHT;
  const hasRss = report.memory.some((m) => m.rssBytes !== undefined);

  // Panel heading with its own keys.
  const heading = "Memory over time";
  text(c, MARGIN_LEFT, top - 12, heading, `font-size="13" font-weight="600"`);
  let kx = MARGIN_LEFT + textWidth(heading, 13) * 1.15 + 20;
  const key = (label: string, draw: string) => {
    c.out.push(draw.replaceAll("KX", String(kx)));
    text(c, kx + 26, top - 12, label, `font-size="11" fill="#444"`);
    kx += 26 + textWidth(label, 11) + 18;
  };
  key("accounted by the ledger", `<rect x="KX" y="${top - 21}" width="20" height="10" fill="#6b8fb8" fill-opacity="0.35" stroke="#2f5d8a"/>`);
  if (report.memoryBudgetBytes !== null) key("budget", `<path d="MKX ${top - 16}h20" stroke="#d62728" stroke-width="2" stroke-dasharray="5 3"/>`);
  if (hasRss) {
    const label = report.baselineRssBytes === undefined ? "process RSS" : `RSS above its baseline of ${formatBytes(report.baselineRssBytes)}`;
    key(label, `<path d="MKX ${top - 16}h20" stroke="#222" stroke-width="1.3"/>`);
  }

  for (const t of ticks) {
    const ty = px(toY(t.value));
    c.out.push(`<path d="M${MARGIN_LEFT} ${ty}H${right}" stroke="#e4e4e4" stroke-width="1"/>`);
    text(c, MARGIN_LEFT - 8, toY(t.value) + 4, t.label, `font-size="11" fill="#444" text-anchor="end"`);
  }

  // RSS can dip under its baseline after releases, or a run pass the axis: curves stay inside the panel.
  c.out.push(
    `<clipPath id="${c.id}memory-clip"><rect x="${MARGIN_LEFT}" y="${px(top - 1)}" width="${px(right - MARGIN_LEFT)}" height="${px(bottom - top + 2)}"/></clipPath>`,
    `<g clip-path="url(#${c.id}memory-clip)">`,
  );
  const samples = report.memory
    .map((m, i) => ({ m, i }))
    .sort((a, b) => a.m.atMs - b.m.atMs || a.i - b.i)
    .map(({ m }) => m);
  const accounted = samples.map((m) => ({ x: c.x(m.atMs), v: m.accountedBytes }));
  const points = stepPath(accounted, toY);
  const endX = c.x(Math.max(report.makespanMs, samples[samples.length - 1]?.atMs ?? 0));
  const lastLevel = accounted[accounted.length - 1]?.v ?? 0;
  points.push(`${px(endX)},${px(toY(lastLevel))}`);
  const base = px(toY(0));
  c.out.push(
    `<path class="accounted" d="M${px(c.x(0))},${base}L${points.join("L")}L${px(endX)},${base}Z" fill="#6b8fb8" fill-opacity="0.35" stroke="none"/>`,
    `<path d="M${px(c.x(0))},${base}L${points.join("L")}" fill="none" stroke="#2f5d8a" stroke-width="1.2"/>`,
  );

  if (hasRss) {
    const rss = samples
      .filter((m) => m.rssBytes !== undefined)
      .map((m) => ({ x: c.x(m.atMs), v: rssAboveBaseline(report, m) ?? 0 }));
    c.out.push(`<path class="rss" d="M${sampledPath(rss, toY).join("L")}" fill="none" stroke="#222" stroke-width="1.3" stroke-linejoin="round"/>`);
  }

  c.out.push("</g>");

  const halo = `stroke="#ffffff" stroke-width="3" paint-order="stroke"`;
  if (report.memoryBudgetBytes !== null) {
    const by = toY(report.memoryBudgetBytes);
    c.out.push(`<path class="budget" d="M${MARGIN_LEFT} ${px(by)}H${right}" stroke="#d62728" stroke-width="2" stroke-dasharray="7 4"><title>budget ${escapeXml(formatBudget(report.memoryBudgetBytes))}</title></path>`);
    text(c, right - 4, by - 5, `budget ${formatBudget(report.memoryBudgetBytes)}`, `font-size="11" font-weight="600" fill="#b01c1c" text-anchor="end" ${halo}`);
  } else {
    text(c, right - 4, top + 14, "no memory budget", `font-size="11" fill="#666" text-anchor="end"`);
  }

  // Mark the accounted peak where it first happens.
  const peak = samples.find((m) => m.accountedBytes === report.peakAccountedBytes) ??
    samples.reduce<MemorySample | undefined>((a, m) => (!a || m.accountedBytes > a.accountedBytes ? m : a), undefined);
  if (peak) {
    const pxX = c.x(peak.atMs);
    const pyY = toY(peak.accountedBytes);
    const label = `peak ${formatBytes(peak.accountedBytes)} at ${formatMs(peak.atMs)}`;
    const budgetY = report.memoryBudgetBytes === null ? Infinity : toY(report.memoryBudgetBytes);
    // Above the point, unless that would sit on the budget label; then below it.
    const ly = Math.abs(pyY - 6 - budgetY) < 14 ? pyY + 16 : pyY - 6;
    const anchor = pxX > right - textWidth(label, 11) ? "end" : "start";
    c.out.push(`<circle class="peak" cx="${px(pxX)}" cy="${px(pyY)}" r="3" fill="#2f5d8a"/>`);
    text(c, anchor === "end" ? pxX - 6 : pxX + 6, ly, label, `font-size="11" fill="#1d3f63" text-anchor="${anchor}" ${halo}`);
  }
  c.out.push(`<path d="M${MARGIN_LEFT} ${top}V${bottom}" stroke="#888" stroke-width="1"/>`);
}

const TOOLTIP_SCRIPT = `
(() => {
  // Titles become data attributes so the browser's own slow tooltip does not double ours.
  for (const t of document.querySelectorAll("svg .step > title, svg .arrival > title")) {
    t.parentNode.setAttribute("data-tip", t.textContent);
    t.remove();
  }
  const tip = document.getElementById("tip");
  let lit = null;
  // Hovering a step lights up every step of that network instance and dims the rest.
  const light = (el) => {
    const key = el && el.hasAttribute("data-instance") ? el.getAttribute("data-network") + "\u0000" + el.getAttribute("data-instance") : null;
    if (key === lit) return;
    lit = key;
    for (const svg of document.querySelectorAll("svg.dim")) svg.classList.remove("dim");
    for (const s of document.querySelectorAll(".step.hl")) s.classList.remove("hl");
    if (!key) return;
    const svg = el.closest("svg");
    svg.classList.add("dim");
    for (const s of svg.querySelectorAll(".step[data-instance]")) {
      if (s.getAttribute("data-network") + "\u0000" + s.getAttribute("data-instance") === key) s.classList.add("hl");
    }
  };
  document.addEventListener("mousemove", (e) => {
    const el = e.target instanceof Element ? e.target.closest("[data-tip]") : null;
    light(el && el.classList.contains("step") ? el : null);
    if (!el) { tip.style.display = "none"; return; }
    tip.textContent = el.getAttribute("data-tip");
    tip.style.display = "block";
    const w = tip.offsetWidth, h = tip.offsetHeight;
    tip.style.left = Math.min(e.clientX + 14, innerWidth - w - 8) + "px";
    tip.style.top = (e.clientY + 16 + h > innerHeight ? e.clientY - h - 10 : e.clientY + 16) + "px";
  });
})();
`;

/** The sweep page's index: one row per run, linking to its chart, with the makespan against the best of its kind. */
function runIndex(reports: readonly RunReport[]): string {
  // "Of its kind": same pipeline, budget and workers, so the ratio compares policies as the sweep table does.
  const kind = (r: RunReport) => `${r.pipeline}\u0000${r.memoryBudgetBytes}\u0000${r.workers}`;
  const best = new Map<string, number>();
  for (const r of reports) best.set(kind(r), Math.min(best.get(kind(r)) ?? Infinity, r.makespanMs));
  const cell = (t: string, right = false) => `<td${right ? ' class="n"' : ""}>${escapeXml(t)}</td>`;
  const rows = reports.map((r, i) => {
    const b = best.get(kind(r)) ?? r.makespanMs;
    return (
      `<tr>${cell(r.pipeline)}<td><a href="#run${i}">${escapeXml(r.policy)}</a></td>${cell(formatBudget(r.memoryBudgetBytes))}` +
      `${cell(String(r.workers), true)}${cell(formatMs(r.makespanMs), true)}${cell(formatRatio(r.makespanMs, b) + (r.makespanMs === b ? " *" : ""), true)}` +
      `${cell(formatMs(r.meanResponseMs), true)}${cell(formatBytes(r.peakAccountedBytes), true)}</tr>`
    );
  });
  return [
    `<table class="runs"><thead><tr><th>pipeline</th><th>policy</th><th>budget</th><th>workers</th><th>makespan</th><th>vs best *</th><th>mean response</th><th>peak accounted</th></tr></thead>`,
    `<tbody>${rows.join("\n")}</tbody></table>`,
  ].join("\n");
}

function htmlPage(title: string, svgs: string[], index = ""): string {
  return [
    "<!doctype html>",
    `<html lang="en"><head><meta charset="utf-8"><title>${escapeXml(title)}</title>`,
    "<style>",
    `body{margin:16px;font-family:${FONT};background:#fff;color:#222}`,
    "figure{margin:0 0 28px 0;overflow-x:auto}",
    "svg .step:hover{stroke:#000;stroke-width:1.2}",
    "svg.dim .step{opacity:.25}svg.dim .step.hl{opacity:1}",
    "p.hint{color:#555;font-size:13px;margin:0 0 8px 0}",
    "table.runs{border-collapse:collapse;font-size:13px;margin:0 0 20px 0}table.runs td,table.runs th{padding:2px 10px;border-bottom:1px solid #e4e4e4;text-align:left}table.runs td.n{text-align:right;font-variant-numeric:tabular-nums}",
    "#tip{position:fixed;display:none;pointer-events:none;background:#222;color:#fff;padding:5px 8px;border-radius:4px;font:12px/1.4 ui-monospace,Menlo,Consolas,monospace;white-space:pre;z-index:1;max-width:70vw}",
    "</style></head><body>",
    `<p class="hint">Hover a step for its layer, times and bytes; the other steps of the same network instance light up.</p>`,
    index,
    ...svgs.map((svg, i) => `<figure id="run${i}">\n${svg}\n</figure>`),
    `<div id="tip"></div>`,
    `<script>${TOOLTIP_SCRIPT}</script>`,
    "</body></html>",
    "",
  ].join("\n");
}
