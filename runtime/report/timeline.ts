// `--timeline`: a Gantt chart of a run (a row per worker and loading lane, steps coloured by network, loads
// hatched, execs solid, inits and frees marked) above the accounted memory over time against the budget,
// as standalone SVG or as self-contained HTML with hover tooltips. Pure: text in, text out.
// The chart is laid out once (timeline-layout.ts), then drawn from the layout: title, legend, grid and time
// axes here, the arrivals and lanes in timeline-lanes.ts, the memory panel in timeline-memory.ts.
import { formatBudget, formatBytes, formatMs, formatRatio } from "./quantity.ts";
import { type Canvas, escapeXml, FONT, networkColour, type NetworkColour, px, text, textWidth } from "./svg.ts";
import { drawArrivals, drawLanes } from "./timeline-lanes.ts";
import { drawable, networkOrder, timeExtentOf, timelineLayout, type TimelineLayout } from "./timeline-layout.ts";
import { drawMemory, memoryExtentOf } from "./timeline-memory.ts";
import { htmlPage, runIndex } from "./timeline-page.ts";
import type { RunReport } from "./types.ts";

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

function timelineSvg(fullReport: RunReport, options: TimelineOptions): string {
  const layout = timelineLayout(fullReport, options);
  const c: Canvas = { out: [], x: layout.x, left: layout.left, right: layout.right, colours: layout.colours, id: layout.id };
  drawHeading(c, layout);
  drawLegend(c, layout);
  drawGrid(c, layout);
  drawArrivals(c, layout);
  drawLanes(c, layout);
  drawMakespan(c, layout);
  // Time axis under the lanes.
  drawTimeAxis(c, layout.ticks, layout.axisY, false);
  drawMemory(c, layout.report, layout.memory);
  drawTimeAxis(c, layout.ticks, layout.memory.bottom + 4, true);

  const { id, height } = layout;
  const defs = patternDefs(id, [...layout.colours.values()]).replace(
    "</defs>",
    // Bars are cut exactly at the plot's edges; markers (triangles 8 px wide) may stick out by half.
    `<clipPath id="${id}plot-clip"><rect x="${layout.left}" y="0" width="${px(layout.plotWidth)}" height="${height}"/></clipPath>\n` +
      `<clipPath id="${id}marker-clip"><rect x="${layout.left - 5}" y="0" width="${px(layout.plotWidth + 10)}" height="${height}"/></clipPath>\n</defs>`,
  );
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${layout.width}" height="${height}" viewBox="0 0 ${layout.width} ${height}" font-family="${escapeXml(FONT)}" role="img">`,
    `<title>${escapeXml(timelineTitle(layout.report))}</title>`,
    defs,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    ...c.out,
    `</svg>`,
  ].join("\n");
}

/** Title and subtitle: what ran, how, and its headline numbers. */
function drawHeading(c: Canvas, layout: TimelineLayout): void {
  const { report, window, fromMs, toMs } = layout;
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
}

/** Legend: networks, then the keys of what the chart shows, where the layout put them. */
function drawLegend(c: Canvas, layout: TimelineLayout): void {
  const id = layout.id;
  for (const { label, key, x, y } of layout.legend) {
    const [lx, ly] = [x, y - 10];
    switch (key.kind) {
      case "network":
        c.out.push(`<rect x="${lx}" y="${ly}" width="12" height="12" fill="${key.colour}"/>`);
        break;
      case "exec":
        c.out.push(`<rect x="${lx}" y="${ly}" width="12" height="12" fill="#707070"/>`);
        break;
      case "load":
        c.out.push(`<rect x="${lx}" y="${ly}" width="12" height="12" fill="url(#${id}load-key)" stroke="#707070" stroke-width="0.5"/>`);
        break;
      case "init":
        c.out.push(`<rect x="${lx}" y="${ly}" width="12" height="12" fill="#303030"/>`);
        break;
      case "free":
        c.out.push(`<path d="M${lx + 6} ${ly + 2}v9" stroke="#303030" stroke-width="1.5"/>`);
        break;
      case "merged": {
        const [a, b, d] = [0, 1, 2].map((i) => networkColour(i).solid);
        c.out.push(`<rect x="${lx}" y="${ly}" width="12" height="5" fill="${a}"/><rect x="${lx}" y="${ly + 5}" width="12" height="4" fill="${b}"/><rect x="${lx}" y="${ly + 9}" width="12" height="3" fill="${d}"/>`);
        break;
      }
    }
    text(c, x + 18, y, label, `font-size="12"`);
  }
}

/** Grid lines at the time ticks, across the lanes and the memory panel: drawn first, under everything. */
function drawGrid(c: Canvas, layout: TimelineLayout): void {
  for (const t of layout.ticks) {
    const gx = px(c.x(t.value));
    c.out.push(`<path d="M${gx} ${layout.arrivalsY - 8}V${layout.lanesBottom}M${gx} ${layout.memory.top}V${layout.memory.bottom}" stroke="#e4e4e4" stroke-width="1"/>`);
  }
}

/** Where the run ended: samples may go on after it, and a sweep page draws every run on the longest axis. */
function drawMakespan(c: Canvas, layout: TimelineLayout): void {
  const { report, fromMs, toMs, arrivalsY, lanesTop, lanesBottom, memory } = layout;
  if (report.makespanMs > fromMs && report.makespanMs <= toMs) {
    const mx = c.x(report.makespanMs);
    c.out.push(
      `<path class="makespan" d="M${px(mx)} ${lanesTop - 4}V${lanesBottom + 2}M${px(mx)} ${memory.top}V${memory.bottom}" stroke="#333" stroke-width="1" stroke-dasharray="3 3"/>`,
    );
    const label = `end ${formatMs(report.makespanMs)}`;
    const fitsRight = mx + 4 + textWidth(label, 10) <= layout.width - 4;
    // Above the arrivals strip, where no arrival count can sit.
    c.out.push(`<path d="M${px(mx)} ${arrivalsY - 18}V${lanesTop - 4}" stroke="#333" stroke-width="1" stroke-dasharray="3 3"/>`);
    text(c, fitsRight ? mx + 4 : mx - 4, arrivalsY - 11, label, `font-size="10" fill="#333" text-anchor="${fitsRight ? "start" : "end"}"`);
  }
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

function drawTimeAxis(c: Canvas, ticks: { value: number; label: string }[], y: number, titled: boolean): void {
  const first = ticks[0];
  const last = ticks[ticks.length - 1];
  if (!first || !last) return;
  c.out.push(`<path d="M${c.left} ${y}H${px(c.x(last.value))}" stroke="#888" stroke-width="1"/>`);
  for (const t of ticks) {
    const tx = c.x(t.value);
    c.out.push(`<path d="M${px(tx)} ${y}v4" stroke="#888" stroke-width="1"/>`);
    text(c, tx, y + 16, t.label, `font-size="11" fill="#444" text-anchor="middle"`);
  }
  if (titled) text(c, c.left, y + 34, "time since the run started", `font-size="11" fill="#666"`);
}

