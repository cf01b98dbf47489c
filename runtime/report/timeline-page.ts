// The HTML around timelines: self-contained (inline SVG, style and script, no external assets), with hover
// tooltips that light up the hovered step's network instance, and for sweeps an index of the runs.
import { formatBudget, formatBytes, formatMs, formatRatio } from "./quantity.ts";
import { escapeXml, FONT } from "./svg.ts";
import type { RunReport } from "./types.ts";

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
export function runIndex(reports: readonly RunReport[]): string {
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

export function htmlPage(title: string, svgs: string[], index = ""): string {
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
