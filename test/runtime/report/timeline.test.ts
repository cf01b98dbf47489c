// The timeline: well-formed SVG/HTML, one bar per visible step (short ones merged, none lost), the budget
// line, escaped names, and bars exactly where the steps' times put them.
import assert from "node:assert/strict";
import { test } from "node:test";
import { renderTimeline, renderTimelinePage } from "../../../runtime/report/timeline.ts";
import type { RunReport } from "../../../runtime/report/types.ts";
import { syntheticReport } from "./synthetic-report.ts";
import { tinyReport } from "./tiny-report.ts";
import { checkXml, type XmlElement } from "./xml-check.ts";

const bars = (elements: XmlElement[]) => elements.filter((e) => e.attrs.class === "step");
const stepsIn = (elements: XmlElement[]) => bars(elements).reduce((sum, e) => sum + Number(e.attrs["data-steps"]), 0);
const titleOf = (e: XmlElement, all: XmlElement[]) => all.find((t) => t.name === "title" && t.parent === e)?.text ?? "";

/**
 * tinyReport()'s bars at widthPx 1146: the plot is 1000 px for 100 ms from x = 118, so x = 118 + 10 * startMs
 * and width = 10 * (endMs - startMs); lanes at y = 112 (worker 0), 150 (worker 1), 188 (worker 2, the loads).
 * Execs solid in the network's colour, inits in a darker shade, loads hatched with the network's pattern.
 */
const TINY_BARS = [
  "agenet init x=118 w=50 y=112 #2b435c",
  "agenet exec x=318 w=200 y=112 #4e79a7",
  "agenet exec x=568 w=250 y=112 #4e79a7",
  "gendernet init x=168 w=50 y=150 #854e18",
  "gendernet exec x=718 w=200 y=150 #f28e2b",
  "gendernet exec x=968 w=150 y=150 #f28e2b",
  "agenet load x=168 w=150 y=188 url(#tl-load-0)",
  "agenet load x=318 w=250 y=188 url(#tl-load-0)",
  "gendernet load x=568 w=150 y=188 url(#tl-load-1)",
  "gendernet load x=718 w=250 y=188 url(#tl-load-1)",
];
const barText = (e: XmlElement) => `${e.attrs["data-network"]} ${e.attrs["data-kind"]} x=${e.attrs.x} w=${e.attrs.width} y=${e.attrs.y} ${e.attrs.fill}`;

test("a small run: one bar per init, load and exec, with its kind, network and tooltip", () => {
  const report = tinyReport();
  const svg = renderTimeline(report, { widthPx: 1146 });
  const elements = checkXml(svg);
  assert.equal(elements[0]?.name, "svg");
  const drawn = bars(elements);
  assert.deepEqual(drawn.map(barText).sort(), [...TINY_BARS].sort());
  const fc6 = drawn.find((e) => titleOf(e, elements).startsWith("agenet #0 load fc6"));
  assert.equal(titleOf(fc6!, elements), "agenet #0 load fc6: 20.0 ms → 45.0 ms (25.0 ms, 24.0 MiB)\non worker 2");
  // A lane per worker and the loading lane, labelled.
  const labels = elements.filter((e) => e.name === "text").map((e) => e.text);
  for (const label of ["worker 0", "worker 1", "worker 2", "80% busy, loads only", "arrivals", "Memory over time"]) {
    assert.ok(labels.includes(label), label);
  }
  assert.ok(labels.includes("tiny · policy mema · budget 64 MiB · makespan 100 ms"));
  // The run's end is marked.
  assert.ok(elements.some((e) => e.attrs.class === "makespan"));
  assert.ok(labels.includes("end 100 ms"));
  // Inits and frees marked.
  assert.equal(elements.filter((e) => e.attrs.class === "init-marker").length, 2);
  assert.equal(elements.filter((e) => e.attrs.class === "free-marker").length, 2);
});

test("the budget is a dashed line at its height; without a budget there is none", () => {
  const elements = checkXml(renderTimeline(tinyReport()));
  const budget = elements.find((e) => e.attrs.class === "budget");
  assert.ok(budget?.attrs["stroke-dasharray"]);
  assert.ok(elements.some((e) => e.name === "text" && e.text === "budget 64 MiB"));
  const none = checkXml(renderTimeline(tinyReport({ memoryBudgetBytes: null })));
  assert.equal(none.find((e) => e.attrs.class === "budget"), undefined);
  assert.ok(none.some((e) => e.text === "no memory budget"));
  // The accounted curve is drawn; no RSS line for a simulated run.
  assert.ok(elements.some((e) => e.attrs.class === "accounted"));
  assert.equal(elements.find((e) => e.attrs.class === "rss"), undefined);
});

test("the memory axis reaches the budget and the accounted curve's steps are exact", () => {
  const elements = checkXml(renderTimeline(tinyReport(), { widthPx: 1146 }));
  // Plot 1000 px wide for 100 ms: 10 px per ms from x = 118.
  const d = elements.find((e) => e.attrs.class === "accounted")?.attrs.d ?? "";
  assert.ok(d.includes("318,"), "a step at 20 ms");
  assert.ok(d.includes("568,"), "a step at 45 ms");
  const yLabels = elements.filter((e) => e.name === "text" && /MiB$/.test(e.text) && e.attrs["text-anchor"] === "end").map((e) => e.text);
  assert.ok(yLabels.includes("70 MiB") || yLabels.includes("80 MiB"), yLabels.join(","));
});

test("names are escaped in text, tooltips and attributes", () => {
  const base = tinyReport();
  const evil = `<b>&"net'</b>`;
  const report = tinyReport({
    pipeline: "a<b>&c",
    steps: base.steps.map((s) => ({ ...s, network: evil, layer: s.layer && `${s.layer}&<x>` })),
    networks: base.networks.map((n) => ({ ...n, name: evil })),
  });
  for (const format of ["svg", "html"] as const) {
    const out = renderTimeline(report, { format });
    assert.ok(!out.includes("<b>"), format);
    const svg = format === "svg" ? out : out.slice(out.indexOf("<svg"), out.indexOf("</svg>") + 6);
    const elements = checkXml(svg);
    assert.ok(elements.some((e) => e.name === "text" && e.text === evil), "legend shows the name as is");
    assert.ok(bars(elements).some((e) => e.attrs["data-network"] === evil));
    assert.ok(bars(elements).some((e) => titleOf(e, elements).includes("conv1&<x>")));
  }
});

test("thousands of steps: short ones merge into stacked bars, none is lost, the picture stays small", () => {
  const report = syntheticReport({ roundsMs: [0, 1500, 3000, 4500, 6000, 7500, 9000, 10500], budgetBytes: 512 * 1024 * 1024 });
  const drawnSteps = report.steps.filter((s) => s.kind !== "free").length;
  assert.ok(drawnSteps > 1500);
  const svg = renderTimeline(report);
  const elements = checkXml(svg);
  assert.equal(stepsIn(elements), drawnSteps, "every step is in exactly one bar");
  const count = bars(elements).length;
  assert.ok(count < drawnSteps, `${count} bars for ${drawnSteps} steps`);
  assert.ok(svg.length < 1_500_000, `${svg.length} bytes`);
  const merged = bars(elements).filter((e) => e.attrs["data-kind"] === "merged");
  assert.ok(merged.length > 0);
  for (const m of merged) {
    assert.match(titleOf(m, elements), /^\d+ short steps merged: /);
    assert.ok(elements.filter((e) => e.parent === m && e.name === "rect").length >= 2, "stacked parts");
  }
  // Two steps wider than 2 px never share a bar (a wide one only absorbs slivers of its own network and kind).
  const pxPerMs = (1200 - 118 - 28) / report.makespanMs;
  const wide = report.steps.filter((s) => s.kind !== "free" && (s.endMs - s.startMs) * pxPerMs >= 2).length;
  assert.ok(count >= wide, `${count} bars, ${wide} wide steps`);
  // The widest merged bar stays narrow (a few pixels), so merging never hides structure.
  for (const m of merged) {
    const rect = elements.find((e) => e.parent === m && e.name === "rect");
    assert.ok(Number(rect?.attrs.width) < 4.5, `merged bar ${rect?.attrs.width} px`);
  }
});

test("a real run adds the RSS line above its baseline", () => {
  const elements = checkXml(renderTimeline(syntheticReport({ withRss: true })));
  assert.ok(elements.some((e) => e.attrs.class === "rss"));
  assert.ok(elements.some((e) => e.name === "text" && e.text === "RSS above its baseline of 92.0 MiB"));
});

test("HTML: self-contained, the same SVG, tooltips; a sweep page shares one scale", () => {
  const report = tinyReport();
  const html = renderTimeline(report, { format: "html", widthPx: 1146 });
  assert.ok(html.startsWith("<!doctype html>"));
  const embedded = checkXml(html.slice(html.indexOf("<svg"), html.indexOf("</svg>") + 6));
  assert.deepEqual(bars(embedded).map(barText).sort(), [...TINY_BARS].sort(), "embeds the SVG: the same bars");
  assert.ok(html.includes("<script>") && html.includes("data-tip"));
  const script = html.slice(html.indexOf("<script>") + 8, html.indexOf("</script>"));
  assert.doesNotThrow(() => new Function(script), "the tooltip script parses");
  assert.doesNotMatch(html, /(src|href)="(https?:)?\/\//, "no external assets");
  const runs: RunReport[] = [tinyReport(), tinyReport({ policy: "bulk", makespanMs: 200 })];
  const page = renderTimelinePage(runs);
  const svgs = page.match(/<svg[\s\S]*?<\/svg>/g) ?? [];
  assert.equal(svgs.length, 2);
  for (const svg of svgs) checkXml(svg);
  // An index of the runs links to each chart, the best makespan of a kind marked.
  assert.ok(page.includes('<a href="#run1">bulk</a>') && page.includes('<figure id="run1">'));
  assert.ok(page.includes('<td class="n">x2.00</td>') && page.includes('<td class="n">x1.00 *</td>'));
  // Both on a 200 ms axis, with distinct ids.
  assert.ok(svgs.every((svg) => svg.includes(">200 ms<")));
  assert.ok(svgs[0]?.includes(">80% busy, loads only<"), "busy share of the run's own makespan, not of the shared axis");
  assert.ok(svgs[0]?.includes('id="run0-load-0"') && svgs[1]?.includes('id="run1-load-0"'));
});

test("idle lanes still get a row; zero-length runs do not break the axes", () => {
  const elements = checkXml(renderTimeline(tinyReport({ workers: 2, lanes: 4 })));
  assert.ok(elements.some((e) => e.name === "text" && e.text === "worker 3"));
  assert.ok(elements.some((e) => e.name === "text" && e.text === "0% busy"));
  const empty = tinyReport({ steps: [], networks: [], memory: [], makespanMs: 0, peakAccountedBytes: 0 });
  checkXml(renderTimeline(empty));
});

test("a network keeps its colour whatever the policy started first, and across a sweep page", () => {
  const base = tinyReport();
  // Same arrivals, gendernet started first: colours follow arrival, then the report's order, not start.
  const swapped = tinyReport({ networks: base.networks.map((n) => ({ ...n, startMs: n.name === "agenet" ? 50 : 0 })) });
  const fillOf = (svg: string, network: string) =>
    bars(checkXml(svg)).find((e) => e.attrs["data-network"] === network && e.attrs["data-kind"] === "exec")?.attrs.fill;
  assert.equal(fillOf(renderTimeline(base), "agenet"), "#4e79a7", "the first network to arrive takes the first colour");
  assert.equal(fillOf(renderTimeline(swapped), "agenet"), "#4e79a7");
  // A run that only has gendernet still colours it as the sweep does.
  const onlyGender = tinyReport({
    networks: base.networks.filter((n) => n.name === "gendernet"),
    steps: base.steps.filter((s) => s.network === "gendernet"),
  });
  const page = renderTimelinePage([base, onlyGender]);
  const svgs = page.match(/<svg[\s\S]*?<\/svg>/g) ?? [];
  assert.equal(fillOf(svgs[1] ?? "", "gendernet"), fillOf(svgs[0] ?? "", "gendernet"));
  assert.notEqual(fillOf(renderTimeline(onlyGender), "gendernet"), fillOf(svgs[0] ?? "", "gendernet"));
});

test("an interrupted run with unset times still draws, leaving those steps out", () => {
  const base = tinyReport();
  const report = tinyReport({
    interrupted: true,
    networks: base.networks.map((n, i) => (i === 1 ? { ...n, endMs: Number.NaN, responseMs: Number.NaN } : n)),
    steps: base.steps.map((s, i) => (i === 12 ? { ...s, endMs: Number.NaN } : s)),
    memory: [...base.memory, { atMs: Number.NaN, accountedBytes: 0 }],
  });
  for (const format of ["svg", "html"] as const) {
    const out = renderTimeline(report, { format });
    assert.doesNotMatch(out, /NaN|Infinity/);
    if (format === "svg") assert.equal(stepsIn(checkXml(out)), base.steps.filter((s) => s.kind !== "free").length - 1);
    assert.ok(out.includes("INTERRUPTED"));
  }
});

test("a time window draws only that stretch, with its own ticks and busy shares", () => {
  const report = syntheticReport();
  const svg = renderTimeline(report, { window: { fromMs: 2000, toMs: 4000 } });
  const elements = checkXml(svg);
  const inWindow = report.steps.filter((s) => s.kind !== "free" && s.endMs >= 2000 && s.startMs <= 4000).length;
  assert.equal(stepsIn(elements), inWindow);
  const labels = elements.filter((e) => e.name === "text").map((e) => e.text);
  assert.ok(labels.includes("2.0 s") && labels.includes("4.0 s") && !labels.includes("1.8 s") && !labels.includes("4.2 s"), labels.join("|"));
  assert.ok(labels.some((l) => l.startsWith("showing 2.00 s to 4.00 s · ")));
  // Bars are clipped to the plot; colours match the whole chart's.
  assert.ok(bars(elements).every((e) => e.parent?.attrs["clip-path"] === "url(#tl-plot-clip)" || e.parent?.parent?.attrs["clip-path"] === "url(#tl-plot-clip)"));
  const whole = checkXml(renderTimeline(report));
  const legend = (els: typeof whole) => els.filter((e) => e.name === "rect" && e.attrs.width === "12" && e.attrs.height === "12").map((e) => e.attrs.fill);
  assert.deepEqual(legend(elements), legend(whole));
  assert.throws(() => renderTimeline(report, { window: { fromMs: 5, toMs: 5 } }), /timeline window 5\.\.5 ms/);
});

test("accounted memory above the budget (EdgeCaffe's admission) is painted red and named in the key", () => {
  const over = checkXml(renderTimeline(tinyReport({ admission: "edgecaffe", memoryBudgetBytes: 30 * 1024 * 1024 })));
  assert.ok(over.some((e) => e.attrs.class === "over-budget"));
  assert.ok(over.some((e) => e.name === "text" && e.text === "accounted over the budget"));
  const within = checkXml(renderTimeline(tinyReport()));
  assert.equal(within.find((e) => e.attrs.class === "over-budget"), undefined);
});
