// Scheduler benchmark: simulated steps per second, then EdgeCaffe's PerCom grid (5 workloads x 512MB/1GB/2GB x
// every policy, 150 batch rounds, 2 workers, rpi4 profile), timed as a whole (goal: under 30 s here).
// Prints the makespan / mean response table and, with --write, keeps it in bench/results/scheduler.md.
// Run: node --import tsx bench/scheduler.ts [--write]   (also: npx bun bench/scheduler.ts, deno run -A ...)
import { readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { compile } from "../lang/compile.ts";
import type { PipelinePlan, RunSettings } from "../lang/plan.ts";
import type { RunReport } from "../runtime/report/types.ts";
import { SchedulingError } from "../runtime/schedule/engine.ts";
import { pipelineScenario } from "../runtime/schedule/pipeline.ts";
import { profiledResolver } from "../runtime/schedule/profiled-networks.ts";
import { simulate } from "../runtime/schedule/simulate.ts";
import { POLICIES } from "../stdlib/names.ts";
import { policies } from "../stdlib/policies/index.ts";
import { builtinProfile } from "../stdlib/profiles/builtin.ts";
import { stdlib } from "../stdlib/index.ts";

const WORKLOADS = ["small-3", "mixed-3", "large-3", "lifelogging", "all-networks"];
const BUDGETS: [string, number][] = [["512MB", 512e6], ["1GB", 1e9], ["2GB", 2e9]];
const runtime = (globalThis as { Bun?: unknown }).Bun ? "bun" : (globalThis as { Deno?: unknown }).Deno ? "deno" : `node ${process.versions.node}`;

function pipelineOf(workload: string, overrides: Record<string, string> = {}): PipelinePlan {
  const file = `examples/percom/${workload}.mema`;
  const { plan, diagnostics } = compile(readFileSync(file, "utf8"), { file, overrides });
  if (!plan) throw new Error(`${file}: ${diagnostics.map((d) => d.message).join("; ")}`);
  return plan.pipelines[0]!;
}

const resolver = profiledResolver(builtinProfile("rpi4"), await stdlib.simulation());
const settings = (policy: string, memoryBytes: number): RunSettings => ({ policy, memoryBytes, workers: 2 });

// 1. Steps per second on the largest workload.
{
  const pipeline = pipelineOf("all-networks");
  const scenario = pipelineScenario(pipeline, resolver);
  for (const policy of ["partial", "masa", "mema"] as const) {
    simulate(scenario, { policy: policies[policy], workers: 2, memoryBudgetBytes: 1e9 }); // warm-up
    const t0 = performance.now();
    const report = simulate(scenario, { policy: policies[policy], workers: 2, memoryBudgetBytes: 1e9 });
    const ms = performance.now() - t0;
    console.log(`steps/s  all-networks 1GB ${policy.padEnd(6)} ${report.steps.length} steps in ${ms.toFixed(0)} ms: ${Math.round((report.steps.length / ms) * 1000).toLocaleString("en")} steps/s`);
  }
}

// 2. The grid.
type Cell = { report?: RunReport; refused?: string };

/** Why mema is not the best in a cell, from traces of those runs (kept with the cells they explain). */
const WHY: Record<string, string> = {
  "lifelogging|1GB":
    "this workload is work-bound (the lower bound is the total work over 2 lanes). mema's critical-path rule serves the network with the longest remaining path first and leaves TinyYolo's 23-layer chain of short alternating loads and execs for the end of each round, where it cannot keep both lanes busy; MASA's shortest-network-first starts TinyYolo (mean-execution-time 696 ms) early. A variant that drops the critical-path rule while the work bound dominates reaches 1279.5 s here but loses all-networks 1GB/2GB by 1 % (5103 s against 5051 s), where ObjectNet's long chain must start first.",
  "lifelogging|2GB": "as at 1GB (memory does not bind at either).",
};
const grid = new Map<string, Cell>();
const t0 = performance.now();
let steps = 0;
for (const workload of WORKLOADS) {
  const pipeline = pipelineOf(workload);
  const scenario = pipelineScenario(pipeline, resolver);
  for (const [budgetName, bytes] of BUDGETS) {
    for (const policy of POLICIES) {
      const key = `${workload}|${budgetName}|${policy}`;
      try {
        const report = simulate(scenario, { policy: policies[policy], workers: settings(policy, bytes).workers, memoryBudgetBytes: bytes, tile: resolver.tile, profile: "rpi4" });
        steps += report.steps.length;
        grid.set(key, { report });
      } catch (error) {
        if (!(error instanceof SchedulingError)) throw error;
        grid.set(key, { refused: error.message });
      }
    }
  }
}
const gridMs = performance.now() - t0;

const s = (ms: number) => (ms / 1000).toFixed(1);
const lines: string[] = [];
lines.push(`# Scheduler benchmark`, ``);
lines.push(`Measured ${new Date().toISOString().slice(0, 10)} on ${cpus()[0]?.model ?? "?"} (${cpus().length} cores, load average ${loadavg()[0]!.toFixed(1)} when done: other jobs share the machine), ${runtime}.`);
lines.push(`PerCom grid: ${WORKLOADS.length} workloads x ${BUDGETS.length} budgets x ${POLICIES.length} policies = ${grid.size} simulated runs, 150 batch rounds each, 2 workers, rpi4 profile, per-layer ledger admission: **${s(gridMs)} s** (${Math.round((steps / gridMs) * 1000).toLocaleString("en")} steps/s over ${steps.toLocaleString("en")} steps).`, ``);
lines.push(`Cells: makespan s / mean response s (the lowest makespan of a column in bold; "refused": the policy's graph cannot fit the budget, see notes).`, ``);
const notes: string[] = [];
for (const workload of WORKLOADS) {
  lines.push(`## ${workload}`, ``);
  lines.push(`| policy | ${BUDGETS.map(([b]) => b).join(" | ")} |`);
  lines.push(`|---|${BUDGETS.map(() => "---:").join("|")}|`);
  const best = new Map<string, number>();
  for (const [b] of BUDGETS) {
    const values = POLICIES.map((p) => grid.get(`${workload}|${b}|${p}`)?.report?.makespanMs ?? Infinity);
    best.set(b, Math.min(...values));
  }
  for (const policy of POLICIES) {
    const cells = BUDGETS.map(([b]) => {
      const cell = grid.get(`${workload}|${b}|${policy}`)!;
      if (!cell.report) return "refused";
      const text = `${s(cell.report.makespanMs)} / ${s(cell.report.meanResponseMs)}`;
      return cell.report.makespanMs === best.get(b) ? `**${text}**` : text;
    });
    lines.push(`| ${policy} | ${cells.join(" | ")} |`);
  }
  const bounds = BUDGETS.map(([b]) => {
    const r = grid.get(`${workload}|${b}|mema`)?.report;
    return r ? s(r.lowerBoundMs) : "-";
  });
  lines.push(`| *lower bound* | ${bounds.join(" | ")} |`, ``);
  for (const [b] of BUDGETS) {
    const mema = grid.get(`${workload}|${b}|mema`)!;
    const bestMs = best.get(b)!;
    if (!mema.report) notes.push(`- ${workload} ${b}: mema refused: ${mema.refused}`);
    else if (mema.report.makespanMs > bestMs) {
      const winners = POLICIES.filter((p) => grid.get(`${workload}|${b}|${p}`)?.report?.makespanMs === bestMs);
      const why = WHY[`${workload}|${b}`] ?? "not analysed yet.";
      notes.push(`- ${workload} ${b}: mema ${s(mema.report.makespanMs)} s, ${winners.join(", ")} ${s(bestMs)} s (+${((mema.report.makespanMs / bestMs - 1) * 100).toFixed(2)} %): ${why}`);
    }
  }
  for (const policy of POLICIES) for (const [b] of BUDGETS) {
    const cell = grid.get(`${workload}|${b}|${policy}`)!;
    if (cell.refused && policy !== "mema") notes.push(`- ${workload} ${b}: ${policy} refused: ${cell.refused}`);
  }
}
{
  let best = 0;
  let worst = 0;
  for (const workload of WORKLOADS) for (const [b] of BUDGETS) {
    const values = POLICIES.map((p) => grid.get(`${workload}|${b}|${p}`)?.report?.makespanMs ?? Infinity);
    const mema = grid.get(`${workload}|${b}|mema`)?.report?.makespanMs ?? Infinity;
    if (mema <= Math.min(...values)) best++;
    else worst = Math.max(worst, mema / Math.min(...values) - 1);
  }
  // The headline goes under the title.
  lines.splice(4, 0, ``, `**mema has the lowest makespan (ties included) in ${best} of ${WORKLOADS.length * BUDGETS.length} cells${worst > 0 ? `; elsewhere it is at most ${(worst * 100).toFixed(2)} % above the best (notes below)` : ""}.**`);
}
lines.push(`## Where mema is not the best, and refusals`, ``);
lines.push(...(notes.length ? notes : ["- none: mema has the lowest makespan in every cell."]), ``);
lines.push(
  `Refusals are the policies' own graphs, not the budget's: bulk and multi-bulk load a whole network at once (ObjectNet: 616 MB with its activations and exec workspaces), and DeepEye loads every conv layer of an arrival before its first conv exec, plus the fc layers on the other lane (1.8 GB for all-networks). Under the per-layer ledger such a run can never fit, so it is refused before it starts; EdgeCaffe ran them anyway because it gates no load (\`--admission edgecaffe\` reproduces that, passing the budget).`,
  ``,
);
// EdgeCaffe's own admission next to ours: its four PerCom modes as EdgeCaffe admits memory (nothing gated
// but MASA's INITs), makespan and accounted peak; the peak passes the budget where EdgeCaffe's did.
{
  const MODES = ["bulk", "deepeye", "deepeye-frugal", "masa"] as const;
  const t2 = performance.now();
  lines.push(`## EdgeCaffe's admission`, ``);
  lines.push(`EdgeCaffe's four PerCom modes with \`--admission edgecaffe\` (its own memory handling, quirks included), next to mema under the per-layer ledger. Cells: makespan s / accounted peak MB; "over" marks a peak above the budget.`, ``);
  lines.push(`| workload | budget | ${MODES.join(" | ")} | mema (ledger) |`, `|---|---|${MODES.map(() => "---:").join("|")}|---:|`);
  for (const workload of WORKLOADS) {
    const scenario = pipelineScenario(pipelineOf(workload), resolver);
    for (const [b, bytes] of BUDGETS) {
      const cell = (r: RunReport) => `${s(r.makespanMs)} / ${Math.round(r.peakAccountedBytes / 1e6)}${r.peakAccountedBytes > bytes ? " over" : ""}`;
      const edge = MODES.map((m) => cell(simulate(scenario, { policy: policies[m], workers: 2, memoryBudgetBytes: bytes, admission: "edgecaffe" })));
      const mema = grid.get(`${workload}|${b}|mema`)?.report;
      lines.push(`| ${workload} | ${b} | ${edge.join(" | ")} | ${mema ? cell(mema) : "refused"} |`);
    }
  }
  lines.push(``, `(${WORKLOADS.length * BUDGETS.length * MODES.length} runs in ${s(performance.now() - t2)} s.)`, ``);
}

// 3. EdgeCaffe's stochastic workloads (stochastic-thesis rpi-4 style): a stream, the mean gap per memory
// limit as EdgeCaffe's lists had it. Makespans follow the arrivals; the mean response is what differs.
const STREAMS: [string, Record<string, number>][] = [
  ["all-random", { "512MB": 32816, "1GB": 9742, "2GB": 5613 }],
  ["random-composition", { "512MB": 98555, "1GB": 29099, "2GB": 16856 }],
];
const t1 = performance.now();
lines.push(`## Streams`, ``);
lines.push(`EdgeCaffe's stochastic workloads: Normal gaps (sd 500 ms) with the mean EdgeCaffe used at each memory limit, seed 1. Cells: makespan s / mean response s; bold: the lowest of the column (makespan, then mean response).`, ``);
const streamNotes: string[] = [];
for (const [workload, gaps] of STREAMS) {
  lines.push(`### ${workload}`, ``, `| policy | ${BUDGETS.map(([b]) => `${b} (gap ${gaps[b]} ms)`).join(" | ")} |`, `|---|${BUDGETS.map(() => "---:").join("|")}|`);
  const cells = new Map<string, RunReport | string>();
  for (const [b, bytes] of BUDGETS) {
    const scenario = pipelineScenario(pipelineOf(workload, { gap: `${gaps[b]}ms` }), resolver);
    for (const policy of POLICIES) {
      try {
        cells.set(`${b}|${policy}`, simulate(scenario, { policy: policies[policy], workers: 2, memoryBudgetBytes: bytes, tile: resolver.tile, profile: "rpi4", seed: 1 }));
      } catch (error) {
        if (!(error instanceof SchedulingError)) throw error;
        cells.set(`${b}|${policy}`, "refused");
      }
    }
  }
  const bestOf = (b: string, key: (r: RunReport) => number) => Math.min(...POLICIES.map((p) => cells.get(`${b}|${p}`)).filter((c): c is RunReport => typeof c !== "string").map(key));
  for (const policy of POLICIES) {
    lines.push(`| ${policy} | ${BUDGETS.map(([b]) => {
      const c = cells.get(`${b}|${policy}`)!;
      if (typeof c === "string") return c;
      const m = c.makespanMs === bestOf(b, (r) => r.makespanMs) ? `**${s(c.makespanMs)}**` : s(c.makespanMs);
      const r = c.meanResponseMs === bestOf(b, (x) => x.meanResponseMs) ? `**${s(c.meanResponseMs)}**` : s(c.meanResponseMs);
      return `${m} / ${r}`;
    }).join(" | ")} |`);
  }
  lines.push(``);
  for (const [b] of BUDGETS) {
    const mema = cells.get(`${b}|mema`);
    if (typeof mema === "string" || !mema) continue;
    const bestMs = bestOf(b, (r) => r.makespanMs);
    if (mema.makespanMs > bestMs) {
      const winners = POLICIES.filter((p) => (cells.get(`${b}|${p}`) as RunReport | string | undefined) !== undefined && typeof cells.get(`${b}|${p}`) !== "string" && (cells.get(`${b}|${p}`) as RunReport).makespanMs === bestMs);
      streamNotes.push(`- ${workload} ${b}: mema ${(mema.makespanMs / 1000).toFixed(3)} s, ${winners.join(", ")} ${(bestMs / 1000).toFixed(3)} s (+${((mema.makespanMs / bestMs - 1) * 100).toFixed(3)} %); mean response mema ${s(mema.meanResponseMs)} s${mema.meanResponseMs === bestOf(b, (r) => r.meanResponseMs) ? ", the lowest of all policies" : `, best ${s(bestOf(b, (r) => r.meanResponseMs))} s`}.`);
    }
  }
}
lines.push(`Streams: ${STREAMS.length * BUDGETS.length * POLICIES.length} runs in ${s(performance.now() - t1)} s. Where mema's makespan is not the lowest:`, ``);
lines.push(...(streamNotes.length ? streamNotes : ["- nowhere."]), ``);
lines.push(
  `On a stream there is no round to finish together, so mema serves the network closest to done first (shortest remaining path; see stdlib/policies/README.md). The makespan is then the last arrival plus its own response: where MASA ends sooner, its order (each network's mean-execution-time) happened to start the longest network of the last arrival first, which shortest-first does not; the differences are under a second on runs of 15 to 80 minutes, while mema's mean response is the lowest.`,
  ``,
);
const text = lines.join("\n");
console.log(text);
console.log(`\ngrid: ${grid.size} runs in ${s(gridMs)} s (goal: under 30 s)`);
if (process.argv.includes("--write")) writeFileSync("bench/results/scheduler.md", text);
