// The timeline's memory panel: accounted bytes as a step area, the budget as a dashed line, RSS above its
// baseline as a line (real runs), the accounted peak marked. Thousands of samples thin to pixel columns
// keeping each column's minimum and maximum, so no peak disappears.
import { formatBudget, formatBytes, formatMs } from "./quantity.ts";
import { type Canvas, escapeXml, px, text, textWidth } from "./svg.ts";
import { byteTicks } from "./ticks.ts";
import type { MemorySample, RunReport } from "./types.ts";

/** A sample's RSS above the run's baseline (the RSS itself when there is no baseline). */
export function rssAboveBaseline(report: RunReport, sample: MemorySample): number | undefined {
  return sample.rssBytes === undefined ? undefined : sample.rssBytes - (report.baselineRssBytes ?? 0);
}

/** The largest value the panel must show: budget, accounted peak, RSS above baseline. */
export function memoryExtentOf(report: RunReport): number {
  let top = Math.max(report.memoryBudgetBytes ?? 0, report.peakAccountedBytes);
  for (const m of report.memory) top = Math.max(top, m.accountedBytes, rssAboveBaseline(report, m) ?? 0);
  return top > 0 ? top : 1;
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

/** Draws the memory panel between `top` and `bottom`; `extentBytes` fixes the axis (a sweep page's shared one). */
export function drawMemory(c: Canvas, report: RunReport, panel: { top: number; bottom: number; extentBytes?: number }): void {
  const { top, bottom } = panel;
  const ticks = byteTicks((panel.extentBytes ?? memoryExtentOf(report)) * 1.04, 5);
  const topBytes = ticks[ticks.length - 1]?.value ?? 1;
  const toY = (bytes: number) => bottom - (bytes / topBytes) * (bottom - top);
  const right = c.right;
  const hasRss = report.memory.some((m) => m.rssBytes !== undefined);

  // Panel heading with its own keys.
  const heading = "Memory over time";
  text(c, c.left, top - 12, heading, `font-size="13" font-weight="600"`);
  let kx = c.left + textWidth(heading, 13) * 1.15 + 20;
  const key = (label: string, draw: string) => {
    c.out.push(draw.replaceAll("KX", String(kx)));
    text(c, kx + 26, top - 12, label, `font-size="11" fill="#444"`);
    kx += 26 + textWidth(label, 11) + 18;
  };
  key("accounted by the ledger", `<rect x="KX" y="${top - 21}" width="20" height="10" fill="#6b8fb8" fill-opacity="0.35" stroke="#2f5d8a"/>`);
  if (report.memoryBudgetBytes !== null) key("budget", `<path d="MKX ${top - 16}h20" stroke="#d62728" stroke-width="2" stroke-dasharray="5 3"/>`);
  const budget = report.memoryBudgetBytes;
  const overBudget = budget !== null && report.memory.some((m) => m.accountedBytes > budget);
  if (overBudget) key("accounted over the budget", `<rect x="KX" y="${top - 21}" width="20" height="10" fill="#d62728" fill-opacity="0.55"/>`);
  if (hasRss) {
    const label = report.baselineRssBytes === undefined ? "process RSS" : `RSS above its baseline of ${formatBytes(report.baselineRssBytes)}`;
    key(label, `<path d="MKX ${top - 16}h20" stroke="#222" stroke-width="1.3"/>`);
  }

  for (const t of ticks) {
    const ty = px(toY(t.value));
    c.out.push(`<path d="M${c.left} ${ty}H${right}" stroke="#e4e4e4" stroke-width="1"/>`);
    text(c, c.left - 8, toY(t.value) + 4, t.label, `font-size="11" fill="#444" text-anchor="end"`);
  }

  // RSS can dip under its baseline after releases, or a run pass the axis: curves stay inside the panel.
  c.out.push(
    `<clipPath id="${c.id}memory-clip"><rect x="${c.left}" y="${px(top - 1)}" width="${px(right - c.left)}" height="${px(bottom - top + 2)}"/></clipPath>`,
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
  const area = `M${px(c.x(0))},${base}L${points.join("L")}L${px(endX)},${base}Z`;
  c.out.push(
    `<path class="accounted" d="${area}" fill="#6b8fb8" fill-opacity="0.35" stroke="none"/>`,
    `<path d="M${px(c.x(0))},${base}L${points.join("L")}" fill="none" stroke="#2f5d8a" stroke-width="1.2"/>`,
  );
  // EdgeCaffe's admission may pass the budget: whatever lies above the line is painted red.
  if (overBudget && budget !== null) {
    c.out.push(
      `<clipPath id="${c.id}over-budget"><rect x="${c.left}" y="${px(top - 1)}" width="${px(right - c.left)}" height="${px(Math.max(0, toY(budget) - top + 1))}"/></clipPath>`,
      `<path class="over-budget" d="${area}" fill="#d62728" fill-opacity="0.55" stroke="none" clip-path="url(#${c.id}over-budget)"/>`,
    );
  }

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
    c.out.push(`<path class="budget" d="M${c.left} ${px(by)}H${right}" stroke="#d62728" stroke-width="2" stroke-dasharray="7 4"><title>budget ${escapeXml(formatBudget(report.memoryBudgetBytes))}</title></path>`);
    text(c, right - 4, by - 5, `budget ${formatBudget(report.memoryBudgetBytes)}`, `font-size="11" font-weight="600" fill="#b01c1c" text-anchor="end" ${halo}`);
  } else {
    text(c, right - 4, top + 14, "no memory budget", `font-size="11" fill="#666" text-anchor="end"`);
  }

  // Mark the accounted peak where it first happens.
  const peak = samples.find((m) => m.accountedBytes === report.peakAccountedBytes) ??
    samples.reduce<MemorySample | undefined>((a, m) => (!a || m.accountedBytes > a.accountedBytes ? m : a), undefined);
  if (peak && c.x(peak.atMs) >= c.left && c.x(peak.atMs) <= c.right) {
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
  c.out.push(`<path d="M${c.left} ${top}V${bottom}" stroke="#888" stroke-width="1"/>`);
}
