// Benchmark: parse and check a generated ~1 MB .mema file (target: under 300 ms on the 2-core CI box).
// Run: node --import tsx bench/parse.ts  |  npx bun bench/parse.ts  |  npx deno run -A bench/parse.ts
// Two files: "commented" is written like examples/*.mema (about one comment per statement, ~9
// bytes per token); "dense" has no comments and short names (~3.4 bytes per token), the worst case.
// Baselines in the same run (lexing alone, JSON.parse of the compiled plan) give machine-free ratios.
import { cpus, loadavg } from "node:os";
import { Bench } from "tinybench";
import { check, compile, parse } from "../lang/index.ts";
import { memaLexer } from "../lang/tokens.ts";
import { denseBlock, generateMema } from "./mema-text.ts";

const files = { commented: generateMema(1_000_000), dense: generateMema(1_000_000, denseBlock) };
const runtime = (globalThis as { Bun?: unknown }).Bun ? "bun" : (globalThis as { Deno?: unknown }).Deno ? "deno" : `node ${process.version}`;
console.log(`mema parse bench on ${runtime}, ${cpus().length} CPUs, load average ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);

for (const [name, text] of Object.entries(files)) {
  const result = compile(text, { file: `${name}.mema` });
  if (!result.plan) throw new Error(`the generated file has errors: ${result.diagnostics[0]?.message}`);
  const planJson = JSON.stringify(result.plan);
  const tokens = memaLexer.tokenize(text).tokens.length;
  const bench = new Bench({ iterations: 10, warmupIterations: 3, time: 0 });
  bench
    .add("lex only (baseline)", () => void memaLexer.tokenize(text))
    .add("JSON.parse of the plan (baseline)", () => void JSON.parse(planJson))
    .add("parse", () => void parse(text, "bench.mema"))
    .add("parse + check", () => void check(text, { file: "bench.mema" }))
    .add("parse + check + compile", () => void compile(text, { file: "bench.mema" }));
  await bench.run();
  const mean = (task: string) => {
    const r = bench.tasks.find((t) => t.name === task)!.result as { latency?: { mean: number }; mean?: number } | undefined;
    return r?.latency?.mean ?? r?.mean ?? Number.NaN;
  };
  console.log(`\n${name}: ${(text.length / 1e6).toFixed(2)} MB, ${text.split("\n").length} lines, ${tokens} tokens; plan JSON ${(planJson.length / 1e6).toFixed(2)} MB`);
  const lex = mean("lex only (baseline)");
  for (const task of bench.tasks) {
    const ms = mean(task.name);
    console.log(`  ${task.name.padEnd(34)} ${ms.toFixed(1).padStart(8)} ms  ${(ms / lex).toFixed(2).padStart(6)}x lexing`);
  }
  const figure = mean("parse + check");
  // On a shared box wall time swings with the load; CPU time (all threads, GC included) swings less.
  const cpuMs: number[] = [];
  for (let i = 0; i < 10; i++) {
    const before = process.cpuUsage();
    check(text, { file: "bench.mema" });
    const used = process.cpuUsage(before);
    cpuMs.push((used.user + used.system) / 1000);
  }
  const cpuMedian = cpuMs.sort((a, b) => a - b)[Math.floor(cpuMs.length / 2)]!;
  console.log(`  => parse + check of ${name} 1 MB: ${figure.toFixed(1)} ms wall (mean), ${cpuMedian.toFixed(1)} ms CPU (median of 10); target < 300 ms: ${figure < 300 ? "met" : "NOT met"}`);
}
