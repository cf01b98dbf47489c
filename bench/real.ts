// Real-execution benchmark, all in one run on this machine (runtime/execute/README.md, "Benchmark"):
//  1. session options (threads per session, arena, prepacking) on the MemA scenario with `mema`;
//  2. overlap: the same loads and runs on two workers at once vs one after another on one;
//  3. per scenario (MemA; a lighter one): the plain onnxruntime-node loop (baseline), then every policy with
//     ample memory and at 1/2, 1/4, 1/8 of the scenario's total weights: makespan vs the baseline, vs the
//     run's lower bound and vs the same policy with ample memory; peak RSS over the run's baseline RSS, and
//     the RSS allowance (peak - baseline - budget) over every budgeted run;
//  4. --soak N: N consecutive batch arrivals of the MemA scenario in one run; the RSS trend after warm-up.
// Every run also checks that each network's output digest equals the baseline's.
// Run: node --import tsx bench/real.ts [--quick] [--repeat 2] [--soak 200] [--write]   (also npx bun / deno run -A)
import { writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { compile } from "../lang/index.ts";
import type { PipelinePlan } from "../lang/plan.ts";
import { fileHost } from "../runtime/host/files.ts";
import { SessionPool, clockMs } from "../runtime/host/workers.ts";
import { prepareReal, type RealOptions, type RealPipeline } from "../runtime/execute/index.ts";
import { rssBytes, startRssSampler } from "../runtime/host/rss.ts";
import { relativeTrend } from "../runtime/execute/rss-trend.ts";
import type { RunReport } from "../runtime/report/types.ts";
import { POLICIES } from "../stdlib/names.ts";
import { stdlib } from "../stdlib/index.ts";

const args = process.argv.slice(2);
const quick = args.includes("--quick");
const write = args.includes("--write");
const soakIndex = args.indexOf("--soak");
const soakRounds = soakIndex >= 0 ? Number(args[soakIndex + 1] ?? 200) : 0;
const repeatIndex = args.indexOf("--repeat");
/** Each cell runs this many times; the fastest counts (other processes share this machine's 2 cores). */
const repeat = repeatIndex >= 0 ? Math.max(1, Number(args[repeatIndex + 1] ?? 2)) : 2;
const g = globalThis as { Bun?: { version: string }; Deno?: { version: { deno: string } } };
const runtime = g.Bun ? `bun ${g.Bun.version}` : g.Deno ? `deno ${g.Deno.version.deno}` : `node ${process.versions.node}`;
const MiB = 2 ** 20;
const mib = (bytes: number) => (bytes / MiB).toFixed(1);
const lines: string[] = [];
const say = (line = "") => {
  console.log(line);
  lines.push(line);
};

function pipelineOf(text: string): PipelinePlan {
  const { plan, diagnostics } = compile(text, { file: "bench.mema", host: fileHost() });
  if (!plan) throw new Error(diagnostics.map((d) => d.message).join("; "));
  return plan.pipelines[0]!;
}

const scenarios = [
  { name: "MemA", models: ["agenet", "gendernet", "facenet", "sos", "sos_googlenet"], rounds: 2 },
  { name: "light", models: ["agenet", "gendernet", "sos_googlenet"], rounds: 3 },
].filter((s) => !quick || s.name === "light");

const pipelineText = (models: string[], rounds: number) =>
  `pipeline bench { ${models.map((m) => `model ${m};`).join(" ")} memory unlimited; policy mema; workers 2; arrivals batch ${rounds}; }`;

say(`# Real execution on onnxruntime-node: ${runtime}, ${cpus().length} x ${cpus()[0]?.model ?? "cpu"}, ${new Date().toISOString().slice(0, 10)}`);
say();
say(`Every figure below was measured in this run. Makespans in ms (each cell the fastest of ${repeat} runs); RSS in MiB over the RSS just before the run's first load.`);
say();

const answersOf = (r: RunReport) => r.networks.map((n) => `${n.name}#${n.instance}:${n.outputDigest}`).sort().join(" ");

// 1. Session options.
{
  const prepared = await prepareReal(pipelineOf(pipelineText(scenarios[0]!.models, 1)), stdlib);
  say(`## Session options (${scenarios[0]!.name}, 1 round, mema, 2 workers, ample memory; median of 3)`);
  say();
  say("| options | makespan ms | peak RSS - baseline MiB |");
  say("|---|---:|---:|");
  const variants: [string, Record<string, string | number | boolean>][] = [
    ["defaults (1 thread/session, arena off, prepacking off)", {}],
    ["2 threads per session", { intraOpNumThreads: 2 }],
    ["prepacking on", { disablePrepacking: false }],
    ["arena + memory pattern on", { enableCpuMemArena: true, enableMemPattern: true }],
  ];
  for (const [label, session] of variants) {
    const runs: RunReport[] = [];
    for (let i = 0; i < 3; i++) runs.push(await prepared.run({ policy: "mema", workers: 2, memoryBytes: null }, { session }));
    runs.sort((a, b) => a.makespanMs - b.makespanMs);
    const mid = runs[1]!;
    say(`| ${label} | ${mid.makespanMs.toFixed(0)} | ${mib(mid.peakRssBytes! - mid.baselineRssBytes!)} |`);
  }
  say();
}

// 2. Overlap: whole-model sessions created and run on one worker one after another vs on two workers at once.
{
  const prepared = await prepareReal(pipelineOf(pipelineText(["agenet", "gendernet"], 1)), stdlib);
  const pool = await SessionPool.open(2);
  const options = { enableCpuMemArena: false, enableMemPattern: false, disablePrepacking: true, intraOpNumThreads: 1 };
  const cycle = async (worker: number, index: number, tag: string) => {
    const network = prepared.networks[index]!;
    const load = await pool.load(worker, tag, network.model.path, options);
    const input = Object.fromEntries(Object.entries(network.input).map(([k, v]) => [k, { tensor: { ...v, data: v.data.slice() } }]));
    const outputs = Object.fromEntries(network.model.outputs.map((t) => [t.name, "return" as const]));
    const exec = await pool.exec(worker, tag, input, outputs);
    await pool.free(worker, tag);
    return { load, exec };
  };
  await cycle(0, 0, "warm");
  await cycle(1, 1, "warm");
  let t = clockMs();
  await cycle(0, 0, "a");
  await cycle(0, 1, "b");
  const serialMs = clockMs() - t;
  t = clockMs();
  const [a, b] = await Promise.all([cycle(0, 0, "a"), cycle(1, 1, "b")]);
  const parallelMs = clockMs() - t;
  await pool.close();
  const overlapMs = Math.min(a!.exec.endMs, b!.exec.endMs) - Math.max(a!.load.startMs, b!.load.startMs);
  say("## Overlap (agenet and gendernet: whole-model session create, run, release)");
  say();
  say(`one worker, one after the other: ${serialMs.toFixed(0)} ms; two workers at once: ${parallelMs.toFixed(0)} ms (x${(parallelMs / serialMs).toFixed(2)}); the two workers' create+run spans overlapped for ${overlapMs.toFixed(0)} ms.`);
  say();
}

// 2b. What the threads cost: RSS of the main process, then with the sampler thread, then per session worker.
{
  const settle = async () => {
    (globalThis as { gc?: () => void }).gc?.();
    await new Promise((resolve) => setTimeout(resolve, 300));
    return rssBytes();
  };
  const main = await settle();
  const sampler = await startRssSampler(2, { on: "thread" });
  const withSampler = await settle();
  await sampler.stop();
  const afterSampler = await settle();
  const pool = await SessionPool.open(2);
  const withWorkers = await settle();
  await pool.close();
  say("## Threads (RSS, this process, after onnxruntime, the zoo and the splits were loaded)");
  say();
  say(`main process ${mib(main)} MiB; an RSS sampler thread +${mib(withSampler - main)} MiB (scheduled runs sample on the main thread instead); two session workers +${mib(withWorkers - afterSampler)} MiB (${mib((withWorkers - afterSampler) / 2)} each).`);
  say();
}

/** Where a run's time goes: per-session create, exec, lane idle between steps, main-thread dispatch, transfers. */
async function stepCosts(prepared: RealPipeline, name: string): Promise<void> {
  say(`### ${name}: where the time goes (mema, ample memory, fastest of ${repeat})`);
  say();
  say("| unit | sessions | mean create ms | Σ create ms | Σ exec ms | mean exec ms | lane idle ms | steps | idle gaps < 2 ms (dispatch) ms | makespan ms |");
  say("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const [label, runOptions] of [["layers", { granularity: "layers" }], ["merged (default)", {}]] as [string, RealOptions][]) {
    let report: RunReport | undefined;
    for (let i = 0; i < repeat; i++) {
      const attempt = await prepared.run({ policy: "mema", workers: 2, memoryBytes: null }, runOptions);
      if (!report || attempt.makespanMs < report.makespanMs) report = attempt;
    }
    const loads = report!.steps.filter((st) => st.kind === "load");
    const execs = report!.steps.filter((st) => st.kind === "exec");
    const sum = (steps: typeof loads) => steps.reduce((n, st) => n + st.endMs - st.startMs, 0);
    let idle = 0;
    let dispatch = 0;
    for (const lane of new Set(report!.steps.map((st) => st.worker))) {
      const steps = report!.steps.filter((st) => st.worker === lane && (st.kind === "load" || st.kind === "exec")).sort((a, b) => a.startMs - b.startMs);
      for (let i = 1; i < steps.length; i++) {
        const gap = steps[i]!.startMs - steps[i - 1]!.endMs;
        idle += Math.max(0, gap);
        if (gap >= 0 && gap < 2) dispatch += gap;
      }
    }
    say(`| ${label} | ${loads.length} | ${(sum(loads) / loads.length).toFixed(2)} | ${sum(loads).toFixed(0)} | ${sum(execs).toFixed(0)} | ${(sum(execs) / execs.length).toFixed(2)} | ${idle.toFixed(0)} | ${loads.length + execs.length} | ${dispatch.toFixed(0)} | ${report!.makespanMs.toFixed(0)} |`);
  }
  say();
  say("Exec times include moving activations between threads (by transfer). Idle gaps under 2 ms are the main thread's round trip between a step's end and the next step's start on that lane.");
  say();
}

// 3. Policies x budgets per scenario.
const allowances: number[] = [];
for (const scenario of scenarios) {
  const prepared: RealPipeline = await prepareReal(pipelineOf(pipelineText(scenario.models, scenario.rounds)), stdlib);
  const weightsBytes = prepared.networks.reduce((n, net) => n + net.model.weightsBytes, 0);
  let baseline = await prepared.baseline({ workers: 2 });
  for (let i = 1; i < repeat; i++) {
    const again = await prepared.baseline({ workers: 2 });
    if (again.makespanMs < baseline.makespanMs) baseline = again;
  }
  const expected = answersOf(baseline);
  const budgets: [string, number | null][] = [["ample", null], ["1/2", weightsBytes / 2], ["1/4", weightsBytes / 4], ["1/8", weightsBytes / 8]];
  say(`## ${scenario.name}: ${scenario.models.join(", ")}; ${scenario.rounds} batch rounds, 2 workers; total weights ${mib(weightsBytes)} MiB`);
  say();
  say(`Baseline (plain onnxruntime-node: per network one whole-model session on the main thread, create/run/release, same session options): makespan ${baseline.makespanMs.toFixed(0)} ms, peak RSS - baseline ${mib(baseline.peakRssBytes! - baseline.baselineRssBytes!)} MiB.`);
  say();
  say("| policy | budget | makespan ms | x baseline | x lower bound | x own ample | peak accounted MiB | peak RSS - baseline MiB | RSS over budget MiB | answers |");
  say("|---|---|---:|---:|---:|---:|---:|---:|---:|---|");
  // `mema` runs merged units by default; "mema (layers)" is the same policy on one session per layer.
  const rows: [string, string, RealOptions][] = [
    ...POLICIES.map((policy): [string, string, RealOptions] => [policy, policy, {}]),
    ["mema (layers)", "mema", { granularity: "layers" }],
  ];
  const best = new Map<string, { policy: string; ms: number }[]>();
  for (const [row, policy, runOptions] of rows) {
    let ample: number | undefined;
    for (const [label, budget] of budgets) {
      const memoryBytes = budget === null ? null : Math.floor(budget);
      let report: RunReport | undefined;
      try {
        for (let i = 0; i < repeat; i++) {
          const attempt = await prepared.run({ policy, workers: 2, memoryBytes }, runOptions);
          if (!report || attempt.makespanMs < report.makespanMs) report = attempt;
        }
      } catch (error) {
        say(`| ${row} | ${label} | refused: ${(error as Error).message.split("\n")[0]!.slice(0, 140)} | | | | | | | |`);
        continue;
      }
      if (!report) continue;
      if (budget === null) ample = report.makespanMs;
      const rssGrowth = report.peakRssBytes! - report.baselineRssBytes!;
      const over = memoryBytes === null ? undefined : rssGrowth - memoryBytes;
      if (over !== undefined) allowances.push(over);
      best.set(label, [...(best.get(label) ?? []), { policy: row, ms: report.makespanMs }]);
      say(
        `| ${row} | ${label} | ${report.makespanMs.toFixed(0)} | ${(report.makespanMs / baseline.makespanMs).toFixed(2)} | ${(report.makespanMs / report.lowerBoundMs).toFixed(2)} | ${ample ? (report.makespanMs / ample).toFixed(2) : "-"} | ${mib(report.peakAccountedBytes)} | ${mib(rssGrowth)} | ${over === undefined ? "-" : mib(over)} | ${answersOf(report) === expected ? "= baseline" : "DIFFER"} |`,
      );
    }
  }
  say();
  for (const [label, cells] of best) {
    const sorted = cells.slice().sort((a, b) => a.ms - b.ms);
    const mema = cells.find((c) => c.policy === "mema");
    const rank = mema ? sorted.indexOf(mema) + 1 : 0;
    say(`- ${label}: fastest ${sorted.slice(0, 3).map((c) => `${c.policy} ${c.ms.toFixed(0)} ms`).join(", ")}${mema ? `; mema ${rank === 1 ? "is the fastest" : `ranks ${rank} of ${cells.length} (x${(mema.ms / sorted[0]!.ms).toFixed(2)} the fastest)`}` : ""}.`);
  }
  say();
  await stepCosts(prepared, scenario.name);
}
if (allowances.length > 0) {
  say(`RSS allowance: over all budgeted runs, peak RSS - baseline RSS - budget was at most ${mib(Math.max(...allowances))} MiB (goal: 32 MiB).`);
  say();
}

// 4. Soak.
if (soakRounds > 0) {
  const prepared = await prepareReal(pipelineOf(pipelineText(scenarios[0]!.models, soakRounds)), stdlib);
  const report = await prepared.run({ policy: "mema", workers: 2, memoryBytes: null });
  // Peak RSS per round: the samples between consecutive round ends.
  const ends: number[] = [];
  const perRound = Math.max(1, report.networks.length / soakRounds);
  const byEnd = report.networks.map((n) => n.endMs).sort((a, b) => a - b);
  for (let r = 1; r <= soakRounds; r++) ends.push(byEnd[Math.min(byEnd.length, Math.round(r * perRound)) - 1]!);
  const peaks: number[] = [];
  let from = 0;
  for (const end of ends) {
    const window = report.memory.filter((m) => m.rssBytes !== undefined && m.atMs > from && m.atMs <= end).map((m) => m.rssBytes!);
    if (window.length > 0) peaks.push(Math.max(...window));
    from = end;
  }
  const warm = Math.floor(peaks.length / 5);
  const trend = relativeTrend(peaks.slice(warm));
  say(`## Soak: ${soakRounds} consecutive batch arrivals of ${scenarios[0]!.name} (mema, ample memory, 2 workers)`);
  say();
  say(`${report.networks.length} network instances in ${(report.makespanMs / 1000).toFixed(1)} s. Peak RSS per round (MiB over the run's baseline), every ${Math.max(1, Math.floor(peaks.length / 10))}th round: ${peaks.filter((_, i) => i % Math.max(1, Math.floor(peaks.length / 10)) === 0).map((p) => mib(p - report.baselineRssBytes!)).join(", ")}.`);
  say(`Trend after the first ${warm} rounds (least-squares rise over the mean): ${(trend * 100).toFixed(2)}% (goal: below 5%).`);
  say();
}

if (write) {
  writeFileSync(new URL("./results/real.md", import.meta.url), lines.join("\n") + "\n");
  console.log("wrote bench/results/real.md");
}
