// The timeline's rows of work: the arrivals strip, and a lane per worker with its bars (steps coloured by
// network, loads hatched, execs solid, short steps merged), inits and frees marked, and how busy it was.
import type { LaneBar } from "./lane-bars.ts";
import { formatBytes, formatMs } from "./quantity.ts";
import { networksInArrivalOrder } from "./summary.ts";
import { type Canvas, escapeXml, px, text, textWidth } from "./svg.ts";
import { LANE_HEIGHT, type TimelineLayout } from "./timeline-layout.ts";
import type { StepRecord } from "./types.ts";

/** Narrower bars are drawn this wide, so that a very short step stays visible. */
const VISIBLE_BAR_PX = 0.6;

/** "loads only" / "execs only" when a lane ran one kind of work (besides inits and frees). */
function laneRole(steps: StepRecord[]): string {
  const loads = steps.some((s) => s.kind === "load");
  const execs = steps.some((s) => s.kind === "exec");
  return loads && !execs ? ", loads only" : execs && !loads ? ", execs only" : "";
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

/** The lanes, one per worker: background, name, busy share, bars (cut at the plot's edges), markers. */
export function drawLanes(c: Canvas, layout: TimelineLayout): void {
  const { report, window, fromMs, toMs } = layout;
  for (const lane of layout.lanes) {
    const top = lane.top;
    c.out.push(`<rect x="${layout.left}" y="${top}" width="${px(layout.plotWidth)}" height="${LANE_HEIGHT}" fill="#f4f4f4"/>`);
    text(c, layout.left - 10, top + 12, lane.label, `font-size="12" font-weight="600" text-anchor="end"`);
    // Busy over the run (up to its makespan), or over the window.
    const busyTo = window ? toMs : report.makespanMs > 0 ? report.makespanMs : toMs;
    const busy = `${Math.round(100 * busyShare(lane.steps, fromMs, busyTo))}% busy${laneRole(lane.steps)}`;
    text(c, layout.left - 10, top + 24, busy, `font-size="10" fill="#666" text-anchor="end"`);
    c.out.push(`<g class="lane" data-worker="${lane.worker}" clip-path="url(#${c.id}plot-clip)">`);
    for (const bar of lane.bars) drawBar(c, bar, top, lane.label);
    c.out.push(`</g>`, `<g clip-path="url(#${c.id}marker-clip)">`);
    drawMarkers(c, lane.steps, top);
    c.out.push(`</g>`);
  }
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

/** The arrivals strip above the lanes: a tick per arrival (arrivals at one pixel share one), and its label. */
export function drawArrivals(c: Canvas, layout: TimelineLayout): void {
  const { report, arrivalsY: y } = layout;
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
  text(c, layout.left - 10, y + 1, "arrivals", `font-size="11" fill="#555" text-anchor="end"`);
}
