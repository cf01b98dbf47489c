// The terminal summary and the sweep comparison: the figures a user reads, and stable text.
import assert from "node:assert/strict";
import { test } from "node:test";
import { renderComparison } from "../../../runtime/report/comparison.ts";
import { renderSummary } from "../../../runtime/report/summary.ts";
import { syntheticReport } from "./synthetic-report.ts";
import { tinyReport } from "./tiny-report.ts";

const MIB = 1024 * 1024;

/**
 * tinyReport()'s summary, checked by eye against tiny-report.ts: 100 / 80 = x1.25, 40 / 64 MiB = 62.5% (63%),
 * 14 steps of which 2 init and 4 each of load, exec, free, on workers 0-2.
 */
const TINY_SUMMARY = `tiny: policy mema, budget 64 MiB, 2 workers, simulated on profile rpi4 (seed 1)
  makespan        100 ms   lower bound 80.0 ms (x1.25)
  response        mean 85.0 ms, p95 100 ms
  peak accounted  40.0 MiB of 64 MiB budget (63%)
  steps           2 init, 4 load, 4 exec, 4 free on 3 lanes

  network    inst  arrival (ms)  start (ms)  end (ms)  wait (ms)  response (ms)
  -----------------------------------------------------------------------------
  agenet        0           0.0         0.0      70.0        0.0           70.0
  gendernet     0           0.0         5.0     100.0        5.0          100.0
`;

test("summary names the run and gives makespan, its bound and ratio, responses and memory", () => {
  const text = renderSummary(tinyReport());
  assert.equal(text, TINY_SUMMARY);
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
  // The per-network rows, from the report's networks (seconds, 3 decimals).
  const rows = text.split("\n").filter((l) => /^  \w+\s+3\s/.test(l));
  assert.deepEqual(rows.map((l) => l.trim().split(/\s+/)), [
    ["agenet", "3", "0.014", "1.942", "3.180"],
    ["gendernet", "3", "0.015", "2.356", "3.550"],
    ["facenet", "3", "0.413", "3.830", "5.056"],
    ["sos", "3", "1.370", "5.366", "6.793"],
    ["sos_googlenet", "3", "1.515", "5.517", "6.815"],
  ]);
  for (const [name, runs, meanWait, meanResponse, maxResponse] of rows.map((l) => l.trim().split(/\s+/))) {
    const own = report.networks.filter((n) => n.name === name);
    const seconds = (ms: number) => (ms / 1000).toFixed(3);
    const mean = (ms: number[]) => seconds(ms.reduce((t, v) => t + v, 0) / ms.length);
    assert.deepEqual(
      [own.length, mean(own.map((n) => n.waitMs)), mean(own.map((n) => n.responseMs)), seconds(Math.max(...own.map((n) => n.responseMs)))],
      [Number(runs), meanWait, meanResponse, maxResponse],
      `${name}: the row is the networks' own figures`,
    );
  }
  // A sweep: one summary after another, a blank line between.
  assert.equal(renderSummary([tinyReport(), tinyReport({ pipeline: "two" })]), `${TINY_SUMMARY}\n${TINY_SUMMARY.replace(/^tiny:/, "two:")}`);
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

test("the storage line: what was read against the least a cold start reads, and the share in loads", () => {
  const report = tinyReport();
  report.readBytes = 96 * MIB;
  report.minReadBytes = 100 * MIB;
  report.steps = report.steps.map((s) => ({ ...s, readBytes: s.kind === "load" ? 24 * MIB : 0 }));
  // A warm page cache can leave a run under the cold start's least (x0.96): the label says which least it is.
  assert.match(renderSummary(report), /storage\s+read 96\.0 MiB, least from a cold cache 100\.0 MiB \(x0\.96\), 100% of the steps' reads in loads/);
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
