// Benchmark: parse and check a generated ~1 MB .mema file (target: under 1 s on Node on the 2-core CI box).
// Run: node --import tsx bench/parse.ts [--write]  |  npx bun bench/parse.ts  |  npx deno run -A bench/parse.ts
// Two files: "commented" is written like examples/*.mema (about one comment per statement, ~9
// bytes per token); "dense" has no comments and short names (~3.4 bytes per token), the worst case.
// Baselines in the same run (lexing alone, JSON.parse of the compiled plan) give machine-free ratios.
// Every file goes through the one parser (chevrotain's CST parser with error recovery, then the
// CST-to-tree walk of lang/parse.ts). With --write, this runtime's section of bench/results/parse.md is
// replaced (the other runtimes' sections are kept).
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { Bench } from "tinybench";
import { check, compile, parse } from "../lang/index.ts";
import { memaLexer } from "../lang/tokens.ts";
import { denseBlock, generateMema } from "./mema-text.ts";

const RESULTS = "bench/results/parse.md";
const TARGET_MS = 1000;
const files = { commented: generateMema(1_000_000), dense: generateMema(1_000_000, denseBlock) };
const runtimeKey = (globalThis as { Bun?: unknown }).Bun ? "bun" : (globalThis as { Deno?: unknown }).Deno ? "deno" : "node";
const runtime = runtimeKey === "node" ? `node ${process.version}` : runtimeKey === "bun" ? `bun ${process.versions["bun"] ?? ""}` : `deno ${(globalThis as { Deno?: { version: { deno: string } } }).Deno?.version.deno ?? ""}`;
const load = () => loadavg().map((l) => l.toFixed(2)).join(" ");
const loadBefore = load();
console.log(`mema parse bench on ${runtime}, ${cpus().length} CPUs, load average ${loadBefore}`);

/** Median CPU time (all threads, GC included) of `runs` calls: on a shared box it swings less than wall time. */
function cpuMedianMs(run: () => void, runs = 10): number {
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const before = process.cpuUsage();
    run();
    const used = process.cpuUsage(before);
    ms.push((used.user + used.system) / 1000);
  }
  return ms.sort((a, b) => a - b)[Math.floor(runs / 2)]!;
}

const report: string[] = [];
const headline: string[] = [];
for (const [name, text] of Object.entries(files)) {
  const result = compile(text, { file: `${name}.mema` });
  if (!result.plan) throw new Error(`the generated file has errors: ${result.diagnostics[0]?.message}`);
  const planJson = JSON.stringify(result.plan);
  const tokens = memaLexer.tokenize(text).tokens.length;
  const checkOnce = () => void check(text, { file: "bench.mema" });
  const bench = new Bench({ iterations: 10, warmupIterations: 3, time: 0 });
  bench
    .add("lex only (baseline)", () => void memaLexer.tokenize(text))
    .add("JSON.parse of the plan (baseline)", () => void JSON.parse(planJson))
    .add("parse", () => void parse(text, "bench.mema"))
    .add("parse + check", checkOnce)
    .add("parse + check + compile", () => void compile(text, { file: "bench.mema" }));
  await bench.run();
  const stat = (task: string, key: "mean" | "min") => {
    const r = bench.tasks.find((t) => t.name === task)!.result as unknown as ({ latency?: Record<string, number> } & Record<string, number>) | undefined;
    return r?.latency?.[key] ?? r?.[key] ?? Number.NaN;
  };
  const mean = (task: string) => stat(task, "mean");
  const summary = `${name}: ${(text.length / 1e6).toFixed(2)} MB, ${text.split("\n").length} lines, ${tokens} tokens; plan JSON ${(planJson.length / 1e6).toFixed(2)} MB`;
  console.log(`\n${summary}`);
  report.push(``, `### ${summary}`, ``, `| task | wall ms (mean of 10) | wall ms (best of 10) | x lexing (means) |`, `|---|---:|---:|---:|`);
  const lex = mean("lex only (baseline)");
  for (const task of bench.tasks) {
    const ms = mean(task.name);
    const best = stat(task.name, "min");
    console.log(`  ${task.name.padEnd(34)} ${ms.toFixed(1).padStart(8)} ms (best ${best.toFixed(1).padStart(7)} ms)  ${(ms / lex).toFixed(2).padStart(6)}x lexing`);
    report.push(`| ${task.name} | ${ms.toFixed(1)} | ${best.toFixed(1)} | ${(ms / lex).toFixed(2)} |`);
  }
  const wall = mean("parse + check");
  const cpu = cpuMedianMs(checkOnce);
  const line = `parse + check of ${name} 1 MB: ${wall.toFixed(1)} ms wall (mean; best ${stat("parse + check", "min").toFixed(1)} ms), ${cpu.toFixed(1)} ms CPU (median of 10); target < ${TARGET_MS} ms: ${wall < TARGET_MS ? "met" : "NOT met"}`;
  console.log(`  => ${line}`);
  headline.push(`- ${line}`);
}
const loadAfter = load();
console.log(`load average when done: ${loadAfter}`);

if (process.argv.includes("--write")) {
  const section = [
    `## ${runtimeKey}`,
    ``,
    `Measured ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC on ${cpus()[0]?.model ?? "?"} (${cpus().length} cores), ${runtime}; load average ${loadBefore} at the start, ${loadAfter} at the end (other jobs share the machine: wall times swing with it, CPU times less).`,
    ``,
    ...headline,
    ...report,
    ``,
  ].join("\n");
  const intro = [
    `# Parse benchmark`,
    ``,
    `\`bench/parse.ts --write\`: parse + check of generated 1 MB .mema files (target < ${TARGET_MS} ms under Node). Every file goes through the one parser: chevrotain's CST parser with error recovery, then lang/parse.ts's walk from the CST to the tree. From commit 1021daa until it was removed, well-formed files took a second, hand-written parser instead (lang/strict-parse.ts), kept for a retired 300 ms target; its figures are in this file's git history. "before" is the one parser as it was before that fast path. One section per runtime, each replaced by its own run.`,
    ``,
  ].join("\n");
  const old = existsSync(RESULTS) ? readFileSync(RESULTS, "utf8") : "";
  const sections = new Map<string, string>();
  for (const part of old.split(/^(?=## )/m).slice(1)) sections.set(part.slice(3, part.indexOf("\n")).trim(), part.trimEnd() + "\n");
  sections.set(runtimeKey, section);
  const order = ["before", "node", "bun", "deno"].filter((k) => sections.has(k));
  writeFileSync(RESULTS, intro + "\n" + order.map((k) => sections.get(k)).join("\n"));
  console.log(`wrote ${RESULTS} (${runtimeKey})`);
}
