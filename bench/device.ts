// The benchmark that matters: Mema on an emulated device (mema run --emulate rpi4: a read throttle of 50 MB/s,
// 0.4 CPU, a cold page cache, and a hard memory limit), against the plain onnxruntime-node loops a careful user
// writes, every run in a fresh process under the same limit: Mema's measured process overhead plus the budget.
//
// Per scenario (MemA's five networks; a lighter three): budgets ample (the weights and a tenth), 1/2, 1/4 and 1/8
// of the weights; policies mema, partial, masa, linear and the baselines naive, careful, resident. Each cell:
// makespan, bytes read from storage against the least possible (minReadBytes), the share of reads in loads, the
// cgroup's peak, OOM kills, and whether every network's answer equals the others'.
// The process overhead is measured first, per scenario, in an emulated run with room to spare: the most the
// process held besides what its ledger accounted (RSS before the first load, plus what the peak RSS passed the peak
// accounted bytes by).
// Then the simulator against the emulated runs: each model profiled on the emulated device (mema profile
// --emulate rpi4), the cells of mema, partial and linear at 1/2 and 1/4 simulated on those profiles.
// Run: node --import tsx bench/device.ts [--quick] [--rounds N] [--profiles DIR] [--write]   (needs root and cgroups, as --emulate)
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import type { RunReport } from "../runtime/report/types.ts";

const args = process.argv.slice(2);
const quick = args.includes("--quick");
const write = args.includes("--write");
const roundsFlag = args.indexOf("--rounds");
const MiB = 2 ** 20;
const mib = (bytes: number | null | undefined) => (bytes === null || bytes === undefined ? "—" : (bytes / MiB).toFixed(0));
const secs = (ms: number) => (ms / 1000).toFixed(1);
const lines: string[] = [];
const say = (line = "") => {
  console.log(line);
  lines.push(line);
};

const scenarios = [
  { name: "MemA", models: ["agenet", "gendernet", "facenet", "sos", "sos_googlenet"], rounds: 4 },
  { name: "light", models: ["agenet", "gendernet", "sos_googlenet"], rounds: 6 },
].filter((s) => !quick || s.name === "light");
if (roundsFlag >= 0) for (const s of scenarios) s.rounds = Number(args[roundsFlag + 1]);

const POLICIES = ["mema", "partial", "masa", "linear"] as const;
const BASELINES = ["naive", "careful", "resident"] as const;
type Row = (typeof POLICIES)[number] | `baseline ${(typeof BASELINES)[number]}`;
const ROWS: Row[] = [...POLICIES, ...BASELINES.map((b) => `baseline ${b}` as const)];

const work = mkdtempSync(join(tmpdir(), "mema-device-bench-"));
const bin = new URL("../bin/mema.js", import.meta.url).pathname;

interface Cell {
  report?: RunReport;
  /** Killed by the OOM killer (exit 137), or another failure's last line. */
  failure?: string;
  wallMs: number;
}

/** One `mema run` in a fresh process on the emulated device; the report it wrote, or why there is none. */
function runCell(file: string, limitBytes: number, row: Row, budgetBytes: number | null): Cell {
  const out = join(work, `${row.replace(" ", "-")}-${budgetBytes ?? "none"}-${limitBytes}.json`);
  rmSync(out, { force: true });
  const policy = row.startsWith("baseline") ? ["--policy", "none", "--baseline", row.split(" ")[1]!] : ["--policy", row];
  const memory = budgetBytes === null ? "none" : `${budgetBytes}B`;
  const t0 = performance.now();
  const result = spawnSync(process.execPath, [bin, "run", file, ...policy, "--memory", memory, "--emulate", `rpi4,memory=${limitBytes}B`, "--json", out, "--quiet"], {
    encoding: "utf8",
    maxBuffer: 64 * MiB,
  });
  const wallMs = performance.now() - t0;
  if (result.status === 137) return { failure: "OOM-killed", wallMs };
  if (result.status !== 0) return { failure: (result.stderr.trim().split("\n").at(-1) ?? `exit ${result.status}`).slice(0, 120), wallMs };
  const reports = JSON.parse(readFileSync(out, "utf8")) as RunReport | RunReport[];
  return { report: Array.isArray(reports) ? reports[0]! : reports, wallMs };
}

/** What the process holds besides its accounted bytes: its RSS before the first load, plus what its peak RSS passed the peak accounted bytes by. */
function processOverhead(report: RunReport): number {
  const before = report.baselineRssBytes!;
  return before + Math.max(0, report.peakRssBytes! - before - report.peakAccountedBytes);
}

const loadShare = (r: RunReport) => {
  let all = 0;
  let loads = 0;
  for (const s of r.steps) {
    all += s.readBytes ?? 0;
    if (s.kind === "load") loads += s.readBytes ?? 0;
  }
  return all === 0 ? 1 : loads / all;
};
const answers = (r: RunReport) => r.networks.map((n) => `${n.name}#${n.instance}:${n.outputDigest}`).sort().join(" ");

say(`# The device regime: Mema against careful baselines on an emulated Raspberry Pi 4`);
say();
say(`Measured ${new Date().toISOString().slice(0, 16)} on ${cpus().length} x ${cpus()[0]?.model ?? "cpu"}, node ${process.versions.node}, by \`node --import tsx bench/device.ts${quick ? " --quick" : ""}${write ? " --write" : ""}\`.`);
say(`Every run: a fresh \`mema run\` process under \`--emulate rpi4,memory=LIMIT\` (reads 50 MB/s, 0.4 CPU, page cache dropped first), 2 workers for the policies; the baselines run on one thread, as their users write them.`);
say(`LIMIT = Mema's process overhead (measured per scenario, below) + the budget, for every row of a column, baselines included.`);
say();

const summary: string[] = [];
const profilesFlag = args.indexOf("--profiles");
const profileDir = profilesFlag >= 0 ? args[profilesFlag + 1]! : join(work, "profiles");

/** Each model of the scenario profiled on the emulated device (kept in `profileDir` when given and present). */
function profileOnDevice(models: readonly string[]): void {
  mkdirSync(profileDir, { recursive: true });
  for (const model of models) {
    const out = join(profileDir, `${model}.json`);
    if (existsSync(out)) continue;
    const r = spawnSync(process.execPath, [bin, "profile", model, "--runs", "3", "--out", out, "--emulate", "rpi4"], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`profiling ${model} failed: ${r.stderr.trim().split("\n").at(-1)}`);
  }
}

/** The simulated makespan of one cell on the device profiles. */
function simulatedMs(file: string, policy: string, budgetBytes: number): number {
  const out = join(work, "simulated.json");
  const r = spawnSync(process.execPath, [bin, "run", file, "--simulate", "--profile", profileDir, "--policy", policy, "--memory", `${budgetBytes}B`, "--json", out], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`simulating ${policy} failed: ${r.stderr.trim().split("\n").at(-1)}`);
  return ([JSON.parse(readFileSync(out, "utf8")) as RunReport | RunReport[]].flat()[0]!).makespanMs;
}
for (const scenario of scenarios) {
  const file = join(work, `${scenario.name}.mema`);
  writeFileSync(file, `pipeline ${scenario.name} <\n  ${scenario.models.map((m) => `model ${m};`).join(" ")}\n  memory unlimited; policy mema; workers 2;\n  arrivals batch ${scenario.rounds};\n>\n`);
  // Calibration: room to spare (8 GiB), ample budget; twice, the first one preparing what the runs cache.
  runCell(file, 8 * 1024 * MiB, "mema", null);
  const calibration = runCell(file, 8 * 1024 * MiB, "mema", null);
  if (!calibration.report) throw new Error(`${scenario.name}: the calibration run failed: ${calibration.failure}`);
  const overhead = Math.ceil(processOverhead(calibration.report) / MiB) * MiB;
  const weights = calibration.report.minReadBytes!;
  const reference = answers(calibration.report);
  const budgets: { label: string; bytes: number }[] = [
    { label: "ample", bytes: Math.ceil((weights * 1.1) / MiB) * MiB },
    { label: "1/2", bytes: Math.floor(weights / 2) },
    { label: "1/4", bytes: Math.floor(weights / 4) },
    { label: "1/8", bytes: Math.floor(weights / 8) },
  ];
  say(`## ${scenario.name}: ${scenario.models.join(", ")}; ${scenario.rounds} batch rounds; ${mib(weights)} MiB of weights`);
  say();
  say(`Process overhead: ${mib(overhead)} MiB (RSS ${mib(calibration.report.baselineRssBytes)} MiB before the first load; the cgroup counted ${mib(calibration.report.device?.usageBeforeBytes)} MiB then, page cache of the code included).`);
  say();
  const cells = new Map<string, Cell>();
  for (const budget of budgets) {
    const limit = overhead + budget.bytes;
    for (const row of ROWS) {
      const cell = runCell(file, limit, row, budget.bytes);
      cells.set(`${row}@${budget.label}`, cell);
      const r = cell.report;
      console.error(`  ${scenario.name} ${budget.label} ${row}: ${r ? `${secs(r.makespanMs)} s, read ${mib(r.readBytes)} MiB` : cell.failure}`);
    }
  }
  say(`| run | ${budgets.map((b) => `${b.label} (${mib(b.bytes)} MiB; limit ${mib(overhead + b.bytes)})`).join(" | ")} |`);
  say(`|---|${budgets.map(() => "--:").join("|")}|`);
  for (const row of ROWS) {
    const shown = budgets.map((b) => {
      const cell = cells.get(`${row}@${b.label}`)!;
      if (!cell.report) return cell.failure === "OOM-killed" ? "**OOM-killed**" : `failed: ${cell.failure}`;
      return `${secs(cell.report.makespanMs)} s`;
    });
    say(`| ${row} | ${shown.join(" | ")} |`);
  }
  say();
  say(`Read from storage (MiB; the run's own count) against the least possible, share read in load steps, cgroup peak (MiB), answers equal to the reference run's:`);
  say();
  say(`| run | ${budgets.map((b) => b.label).join(" | ")} |`);
  say(`|---|${budgets.map(() => "--:").join("|")}|`);
  for (const row of ROWS) {
    const shown = budgets.map((b) => {
      const r = cells.get(`${row}@${b.label}`)!.report;
      if (!r) return "—";
      const min = r.minReadBytes ? ` / ${mib(r.minReadBytes)} (x${(r.readBytes! / r.minReadBytes).toFixed(2)})` : "";
      const same = answers(r) === reference ? "" : ", **answers differ**";
      return `${mib(r.readBytes)}${min}, loads ${(loadShare(r) * 100).toFixed(0)}%, peak ${mib(r.device?.peakBytes)}${r.device?.oomKills ? `, ${r.device.oomKills} OOM` : ""}${same}`;
    });
    say(`| ${row} | ${shown.join(" | ")} |`);
  }
  say();
  if (scenario.name === "MemA") {
    profileOnDevice(scenario.models);
    say(`The simulator (\`--simulate --profile\` on each model profiled with \`mema profile MODEL --emulate rpi4\`) against these runs:`);
    say();
    say(`| run | budget | emulated | simulated | simulated / emulated |`);
    say(`|---|---|--:|--:|--:|`);
    for (const label of ["1/2", "1/4"]) {
      const budget = budgets.find((b) => b.label === label)!;
      for (const policy of ["mema", "partial", "linear"]) {
        const real = cells.get(`${policy}@${label}`)!.report;
        const simulated = simulatedMs(file, policy, budget.bytes);
        say(`| ${policy} | ${label} | ${real ? `${secs(real.makespanMs)} s` : "—"} | ${secs(simulated)} s | ${real ? `${(simulated / real.makespanMs).toFixed(2)}` : "—"} |`);
      }
    }
    say();
  }
  // The goals: mema against the best careful baseline (careful or resident) per column.
  for (const b of budgets) {
    const mema = cells.get(`mema@${b.label}`)!.report;
    const careful = ["baseline careful", "baseline resident"].map((r) => cells.get(`${r}@${b.label}`)!.report).filter((r): r is RunReport => r !== undefined);
    const best = careful.sort((x, y) => x.makespanMs - y.makespanMs)[0];
    const text = !mema
      ? `mema failed (${cells.get(`mema@${b.label}`)!.failure})`
      : !best
        ? "no careful baseline finished"
        : `mema ${secs(mema.makespanMs)} s vs best careful baseline (${best.baseline}) ${secs(best.makespanMs)} s: ${(best.makespanMs / mema.makespanMs).toFixed(2)}x faster; reads x${(mema.readBytes! / mema.minReadBytes!).toFixed(2)} of the least possible; cgroup peak ${mib(mema.device?.peakBytes)} MiB of ${mib(overhead + b.bytes)} (overhead + budget)`;
    summary.push(`- ${scenario.name} ${b.label}: ${text}`);
  }
}
say(`## Against the goals`);
say();
for (const line of summary) say(line);
if (!args.includes("--keep")) rmSync(work, { recursive: true, force: true });
else console.error(`reports kept in ${work}`);
if (write) writeFileSync(new URL("./results/device.md", import.meta.url), lines.join("\n") + "\n");
