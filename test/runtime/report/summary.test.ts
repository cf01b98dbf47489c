// The terminal summary and the sweep comparison: the figures a user reads, and stable text.
import assert from "node:assert/strict";
import { test } from "node:test";
import { renderComparison } from "../../../runtime/report/comparison.ts";
import { renderSummary } from "../../../runtime/report/summary.ts";
import { syntheticReport } from "./synthetic-report.ts";
import { tinyReport } from "./tiny-report.ts";

const MIB = 1024 * 1024;

test("summary names the run and gives makespan, its bound and ratio, responses and memory", () => {
  const text = renderSummary(tinyReport());
  const lines = text.split("\n");
  assert.equal(lines[0], "tiny: policy mema, budget 64 MiB, 2 workers, simulated on profile rpi4 (seed 1)");
  assert.match(text, /makespan\s+100 ms\s+lower bound 80\.0 ms \(x1\.25\)/);
  assert.match(text, /response\s+mean 85\.0 ms, p95 100 ms/);
  assert.match(text, /peak accounted\s+40\.0 MiB of 64 MiB budget \(63%\)/);
  assert.match(text, /2 init, 4 load, 4 exec, 4 free on 3 lanes/);
  assert.doesNotMatch(text, /RSS/, "no RSS line for a simulated run");
  // One row per network instance with arrival, start, end, wait, response (ms below 10 s).
  assert.match(text, /network\s+inst\s+arrival \(ms\)\s+start \(ms\)\s+end \(ms\)\s+wait \(ms\)\s+response \(ms\)/);
  assert.match(text, /gendernet\s+0\s+0\.0\s+5\.0\s+100\.0\s+5\.0\s+100\.0/);
});

test("summary of a real run shows RSS before the first load and its peak, top1 and digests", () => {
  const base = tinyReport();
  const report = tinyReport({
    simulated: false,
    profile: undefined,
    memoryBudgetBytes: null,
    baselineRssBytes: 90 * MIB,
    peakRssBytes: 140 * MIB,
    networks: base.networks.map((n, i) => ({ ...n, top1: 3 + i, outputDigest: `${"ab".repeat(16)}${i}` })),
  });
  const text = renderSummary(report);
  assert.match(text, /^tiny: policy mema, budget unlimited, 2 workers, real run/);
  assert.match(text, /RSS\s+90\.0 MiB before the first load, peak 140\.0 MiB, 50\.0 MiB over the start/);
  assert.match(text, /peak accounted\s+40\.0 MiB \(no budget\)/);
  const budgeted = renderSummary({ ...report, memoryBudgetBytes: 100 * MIB });
  assert.match(budgeted, /50\.0 MiB over the start \(50% of the budget\)/);
  assert.match(text, /top1\s+output digest/);
  assert.match(text, /agenet .* 3  abababababababab/);
});

test("long runs: seconds, per-network averages, and elided rows beyond the limit", () => {
  const report = syntheticReport();
  const text = renderSummary(report, { maxNetworkRows: 6 });
  assert.match(text, /arrival \(s\)/);
  assert.match(text, /\.\.\. 10 more network instances/);
  assert.match(text, /per network\s+runs\s+mean wait \(s\)\s+mean response \(s\)\s+max response \(s\)/);
  assert.match(text, /sos_googlenet\s+3\s/);
  assert.equal(renderSummary(syntheticReport()), renderSummary(syntheticReport({})), "deterministic");
  assert.equal(renderSummary([report, report]).split("\n\n").length >= 2, true);
});

test("comparison: policies by budget, ratio to the column's best, best marked, gaps shown", () => {
  const run = (policy: string, budgetMiB: number | null, makespanMs: number, peakMiB: number) =>
    tinyReport({ policy, memoryBudgetBytes: budgetMiB === null ? null : budgetMiB * MIB, makespanMs, peakAccountedBytes: peakMiB * MIB });
  const text = renderComparison([
    run("bulk", 512, 2000, 400),
    run("mema", 512, 1000, 500),
    run("bulk", 128, 5000, 120),
    run("mema", 128, 1250, 127),
    run("mema", null, 900, 700),
  ]);
  const lines = text.split("\n");
  assert.match(lines[0] ?? "", /^tiny: 5 runs \(simulated\); \* = lowest makespan in its column/);
  // Budgets ascending, "unlimited" last.
  const groupLine = lines[1] ?? "";
  assert.ok(groupLine.indexOf("128 MiB") < groupLine.indexOf("512 MiB"));
  assert.ok(groupLine.indexOf("512 MiB") < groupLine.indexOf("unlimited"));
  const bulk = lines.find((l) => l.trimStart().startsWith("bulk")) ?? "";
  const mema = lines.find((l) => l.trimStart().startsWith("mema")) ?? "";
  assert.match(bulk, /5000\.0\s+x4\.00\s+120\.0 MiB\s+2000\.0\s+x2\.00\s+400\.0 MiB\s+—/);
  assert.match(mema, /1250\.0\s+x1\.00 \*\s+127\.0 MiB\s+1000\.0\s+x1\.00 \*\s+500\.0 MiB\s+900\.0\s+x1\.00 \*\s+700\.0 MiB/);
  assert.match(text, /fastest overall: mema at budget unlimited, 900 ms/);
});

test("EdgeCaffe admission and interrupted runs are named in the summary and set apart in comparisons", () => {
  const text = renderSummary(tinyReport({ admission: "edgecaffe", interrupted: true }));
  assert.match(text, /^tiny: policy mema \(EdgeCaffe admission\), budget 64 MiB, .*, INTERRUPTED \(partial\)/);
  const table = renderComparison([tinyReport({ admission: "ledger" }), tinyReport({ admission: "edgecaffe", makespanMs: 90 })]);
  assert.match(table, /\n  mema\s+100\.0\s+x1\.11 /);
  assert.match(table, /\n  mema \(EdgeCaffe admission\)\s+90\.0\s+x1\.00 \*/);
});

test("comparison: workers as columns when swept, one table per pipeline", () => {
  const text = renderComparison([
    tinyReport({ workers: 1, makespanMs: 300 }),
    tinyReport({ workers: 2, makespanMs: 200 }),
    tinyReport({ pipeline: "other", makespanMs: 50 }),
  ]);
  assert.match(text, /budget 64 MiB, 1 worker\s+budget 64 MiB, 2 workers/);
  assert.match(text, /\n\nother: 1 run/);
  assert.equal(renderComparison([]), "no runs to compare\n");
});

test("budgets read as the user wrote them: 512 MB stays 512 MB, 64 MiB stays 64 MiB", async () => {
  const { formatBudget } = await import("../../../runtime/report/quantity.ts");
  assert.equal(formatBudget(512e6), "512 MB");
  assert.equal(formatBudget(2e9), "2 GB");
  assert.equal(formatBudget(64 * MIB), "64 MiB");
  assert.equal(formatBudget(2 * 1024 * MIB), "2 GiB");
  assert.equal(formatBudget(123_457), "120.6 KiB");
  assert.equal(formatBudget(null), "unlimited");
});
