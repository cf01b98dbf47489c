// What `mema run` and `mema compare` share: compile FILE, apply the sweep flags, run every point, write reports.
// Simulated runs build their networks here (zoo + device profile, or split model files); real runs go to runtime/execute.
import { closeSync, openSync, readSync, statSync } from "node:fs";
import { BASELINE_KINDS, type BaselineKind } from "../runtime/execute/baseline-kinds.ts";
import type { PipelinePlan, RunSettings } from "../lang/plan.ts";
import { renderDiagnostics } from "../lang/diagnostics.ts";
import { MAX_WORKERS } from "../lang/limits.ts";
import { timelineFormatOf, writeReportFiles } from "../runtime/report/files.ts";
import { formatBudget } from "../runtime/report/quantity.ts";
import type { Refusal } from "../runtime/report/comparison.ts";
import type { RunReport } from "../runtime/report/types.ts";
import { SchedulingError } from "../runtime/schedule/engine.ts";
import type { Interruption } from "../runtime/execute/interrupt.ts";
import { simulatePipeline } from "../runtime/schedule/pipeline.ts";
import type { Admission } from "../runtime/schedule/policy.ts";
import type { Plugins } from "../runtime/plugins.ts";
import { POLICIES } from "../stdlib/names.ts";
import { compileFile, parseSetFlags } from "./check.ts";
import { type CommandContext, forTerminal, onlyArgument, UsageError } from "./command.ts";
import { EMULATE_HELP, EMULATE_OPTION } from "./emulate.ts";
import { parseInteger, parseList, parseSize } from "./flag-values.ts";
import { checkDirNotInput, checkNotInput, checkOutputDir, checkOutputFile, writingOutput } from "./output-paths.ts";

/** Comparison tables wrap to this width when stdout is not a terminal (files, pipes, tests). */
export const COMPARISON_WIDTH = 160;

export const RUN_OPTIONS = {
  set: { type: "string", multiple: true },
  pipeline: { type: "string" },
  policy: { type: "string" },
  policies: { type: "string" },
  memory: { type: "string" },
  workers: { type: "string" },
  simulate: { type: "boolean" },
  profile: { type: "string" },
  seed: { type: "string" },
  admission: { type: "string" },
  "session-overhead": { type: "string" },
  json: { type: "string" },
  csv: { type: "string" },
  timeline: { type: "string" },
  // Real execution (runtime/execute/cli.ts).
  baseline: { type: "string" },
  session: { type: "string" },
  quiet: { type: "boolean" },
  prepare: { type: "boolean" },
  ...EMULATE_OPTION,
} as const;

/** `--baseline` alone is the naive loop; `--baseline careful,resident` names loops. */
export const RUN_BARE_FLAGS = { baseline: { value: "naive", takes: /^(naive|careful|resident)(,(naive|careful|resident))*$/ } };

/** The options' help; `compare` names the policy flag --policies and sweeps every policy by default. */
export function runOptionsHelp(policyFlag: "policy" | "policies"): string {
  const policy = policyFlag === "policy" ? "--policy P[,P...]       policies (or --policies):" : "--policies P[,P...]     policies (default all; or --policy):";
  return `Options (a comma list sweeps; flags replace the file's values):
  ${policy} ${POLICIES.join(", ")}; none (with --baseline: the baselines alone)
  --memory SIZE[,SIZE...] budgets, e.g. 512MB,1GiB (MB = 10^6 bytes, MiB = 2^20); 'none' = no budget
  --workers N[,N...]      execution workers
  --simulate              simulate on a device profile's timings (default: run for real on onnxruntime-node)
  --baseline [K[,K...]]   real runs: first plain onnxruntime-node loops (whole-model sessions, no scheduler):
                          naive (default; the model file as given), careful (external-data files), resident
                          (external-data sessions kept for the run)
  --session K=V[,K=V...]  real runs: onnxruntime session options (intraOpNumThreads, enableCpuMemArena, ...)
  --quiet                 real runs: no progress bar
  --prepare               real runs: split and cache what the runs need (layers, units, the baselines' files),
                          run nothing and write no report (--emulate does this first, outside the cgroup)
  --profile NAME|PATH     device profile for --simulate: rpi4 (default), a 'mema profile' JSON or a directory of them
  --seed N                seed for random arrivals (normal, poisson, pick); default: the file's
  --admission A           ledger (default: per-layer, the budget is a hard ceiling) or edgecaffe (EdgeCaffe's own, may pass it)
  --session-overhead SIZE bytes each loaded layer session costs besides its weights (default 0)
  --pipeline NAME         only this pipeline of the file
  --set NAME=VALUE        replace the file's top-level 'let NAME'
  --json FILE             the report(s) as JSON (an array for sweeps)
  --csv DIR               steps.csv, networks.csv, layers.csv
  --timeline FILE         .svg (one per run, suffixed for sweeps) or .html (all runs on one page)
${EMULATE_HELP}
  -h, --help              show this help`;
}

/** `--baseline` alone means naive; a list names the loops to run. */
function baselineKinds(value: string | undefined): BaselineKind[] | undefined {
  if (value === undefined) return undefined;
  const kinds = value.split(",").map((k) => k.trim());
  for (const kind of kinds) {
    if (!(BASELINE_KINDS as readonly string[]).includes(kind)) throw new UsageError(`--baseline '${kind}': expected ${BASELINE_KINDS.join(", ")}`, "E_OPTION");
  }
  return kinds as BaselineKind[];
}

/** A NUL byte in the first 4 KiB: a model or other binary file given where a scenario is expected. */
function looksBinary(file: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(file, "r");
    const head = new Uint8Array(4096);
    return head.subarray(0, readSync(fd, head, 0, head.length, 0)).includes(0);
  } catch {
    return false; // Unreadable: the compiler says so.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * prepareReal (runtime/execute) announces `zoo: NAME` and `splitting NAME` before every model, cached or
 * not; the zoo generator and the splitter say so themselves when they do work, so those lines are noise.
 */
function isCachedWorkNote(text: string): boolean {
  return /^mema: (zoo: \S+|splitting \S+)\n$/.test(text);
}

/** The sweep a pipeline runs after the flags: memory outermost, then policy, then workers (as the plan). */
export function sweepRuns(pipeline: PipelinePlan, values: CommandContext["values"], policyFlag: "policy" | "policies", plugins: Pick<Plugins, "policyByName">): RunSettings[] {
  // --policy and --policies are one option with two spellings, on run and compare alike.
  if (values.policy !== undefined && values.policies !== undefined && values.policy !== values.policies) {
    throw new UsageError(`--policy '${values.policy}' and --policies '${values.policies}': give one of them`, "E_OPTION");
  }
  const given = values.policies !== undefined ? "policies" : "policy";
  let policies = parseList(given, values[given]) ?? pipeline.sweep.policy;
  // `--policy none --baseline K`: only the plain loops (a benchmark runs each in a process of its own).
  if (policies.length === 1 && policies[0] === "none") {
    if (values.baseline === undefined || values.simulate) throw new UsageError(`--${given} none runs no policy: it needs --baseline (real runs)`, "E_POLICY");
    policies = [];
  }
  for (const p of policies) {
    if (!plugins.policyByName(p)) throw new UsageError(`unknown policy '${p}': expected one of ${POLICIES.join(", ")}`, "E_POLICY");
  }
  const memory = parseList("memory", values.memory)?.map((m) => {
    if (/^(none|unlimited)$/i.test(m)) return null;
    // As in the language: a budget needs its unit (is 512 bytes or megabytes?).
    if (!/[A-Za-z]\s*$/.test(m)) throw new UsageError(`--memory '${m}': a size needs a unit (B, KB, MB, GB, KiB, MiB, GiB), e.g. 512MB`, "E_UNIT");
    return parseSize("memory", m)!;
  }) ?? pipeline.sweep.memoryBytes;
  for (const m of memory) if (m !== null && m <= 0) throw new UsageError(`--memory: a budget must be positive`, "E_OPTION");
  const workers = parseList("workers", values.workers)?.map((w) => parseInteger("workers", w, 1)!) ?? pipeline.sweep.workers;
  // The language's bound (grammar.md, "Limits") holds for the flag too.
  for (const w of workers) if (w > MAX_WORKERS) throw new UsageError(`--workers ${w}: at most ${MAX_WORKERS} workers`, "E_OPTION");
  const runs: RunSettings[] = [];
  for (const memoryBytes of memory) for (const policy of policies) for (const w of workers) runs.push({ memoryBytes, policy, workers: w });
  return runs;
}

export interface RunPlanResult {
  reports: RunReport[];
  /** Set when Ctrl-C or SIGTERM stopped the runs (130, 143): the command exits with it. */
  exitCode?: number;
  /** Sweep points a policy could never fit (a finding of a sweep, shown in its table). */
  refused: Refusal[];
}

/** Compiles FILE, runs every pipeline's sweep (simulated), writes --json/--csv/--timeline; errors become UsageErrors. */
export async function runPlanFile(ctx: CommandContext, name: string, policyFlag: "policy" | "policies"): Promise<RunPlanResult | number> {
  const file = onlyArgument(ctx, name, "FILE: a .mema, .yaml or .json scenario");
  if (statSync(file, { throwIfNoEntry: false })?.isDirectory()) throw new UsageError(`FILE '${file}' is a folder; expected a .mema, .yaml or .json file`, "E_FILE");
  if (looksBinary(file)) {
    throw new UsageError(`FILE '${file}' is not a scenario (binary${/\.onnx$/i.test(file) ? ", an ONNX model" : ""}): expected a .mema, .yaml or .json file; a model goes in one as \`model NAME from "${file}";\``, "E_FILE");
  }
  const admission = (ctx.values.admission ?? "ledger") as string;
  if (admission !== "ledger" && admission !== "edgecaffe") throw new UsageError(`--admission '${admission}': expected ledger or edgecaffe`, "E_OPTION");
  const seed = parseInteger("seed", ctx.values.seed, 0);
  const sessionOverheadBytes = parseSize("session-overhead", ctx.values["session-overhead"]);
  const timeline = ctx.values.timeline as string | undefined;
  if (timeline !== undefined && !timelineFormatOf(timeline)) throw new UsageError(`--timeline '${timeline}': the file must end in .svg or .html`, "E_OPTION");
  // Output paths are checked before running: a real run can take minutes.
  checkOutputFile("json", ctx.values.json as string | undefined);
  checkOutputDir("csv", ctx.values.csv as string | undefined);
  checkOutputFile("timeline", timeline);
  if (ctx.values.prepare) {
    const clash = ["simulate", "json", "csv", "timeline"].find((flag) => ctx.values[flag] !== undefined);
    if (clash === "simulate") throw new UsageError("--prepare and --simulate: a simulated run splits no model, there is nothing to prepare", "E_OPTION");
    if (clash) throw new UsageError(`--prepare runs nothing, so --${clash} has no report to write`, "E_OPTION");
  }

  const result = compileFile(file, parseSetFlags(ctx.values), true);
  if (!result.plan) {
    ctx.err(renderDiagnostics(result.diagnostics, (f) => result.files.get(f)));
    return 1;
  }
  // Nor may a report overwrite what the run reads (`--json` given the scenario itself, say).
  const inputs = [file, ...[...result.files.keys()].filter((f) => !f.startsWith("--set ")), ...(typeof ctx.values.profile === "string" ? [ctx.values.profile] : [])];
  for (const pipeline of result.plan.pipelines) {
    for (const model of pipeline.models) {
      if (model.source.kind === "file") inputs.push(model.source.path);
      if (model.input.kind === "image") inputs.push(model.input.path);
    }
  }
  checkNotInput("json", ctx.values.json as string | undefined, inputs);
  checkDirNotInput("csv", ctx.values.csv as string | undefined, inputs);
  checkNotInput("timeline", timeline, inputs);
  let pipelines = result.plan.pipelines;
  const only = ctx.values.pipeline as string | undefined;
  if (only !== undefined) {
    pipelines = pipelines.filter((p) => p.name === only);
    if (pipelines.length === 0) throw new UsageError(`no pipeline '${only}' in ${file} (it has: ${result.plan.pipelines.map((p) => p.name).join(", ")})`, "E_PIPELINE");
  }
  const plugins = await ctx.plugins();
  const sweeps = pipelines.map((p) => ({ pipeline: p, runs: sweepRuns(p, ctx.values, policyFlag, plugins) }));
  const reports: RunReport[] = [];
  const refused: Refusal[] = [];
  let interruption: Interruption | undefined;
  if (!ctx.values.simulate) {
    // Real execution on onnxruntime-node: runtime/execute/cli.ts owns this path. Ctrl-C and SIGTERM
    // are watched from here until the reports are written (runtime/execute/interrupt.ts).
    const { watchInterrupts } = await import("../runtime/execute/interrupt.ts");
    interruption = watchInterrupts({ say: ctx.err });
  }
  try {
    return await runAndWrite();
  } finally {
    interruption?.dispose();
  }

  async function runAndWrite(): Promise<RunPlanResult | number> {
    if (interruption) {
      const { runRealSweeps } = await import("../runtime/execute/cli.ts");
      const real = runRealSweeps(sweeps, {
        plugins,
        interruption,
        seed,
        admission: admission as Admission,
        sessionOverheadBytes,
        session: ctx.values.session as string | undefined,
        baseline: baselineKinds(ctx.values.baseline as string | undefined),
        quiet: ctx.values.quiet === true,
        prepareOnly: ctx.values.prepare === true,
        err: (text) => void (isCachedWorkNote(text) || ctx.err(text)),
        onRefused: (refusal) => void refused.push(refusal),
      });
      try {
        reports.push(...(await real));
      } catch (error) {
        // A signal while models are prepared may surface as the preparer's own error (the zoo generator stops
        // its write and says it was interrupted): the run was interrupted, not refused.
        if (!interruption.by) throw error;
      }
      if (ctx.values.prepare) {
        if (interruption.by) {
          ctx.err(`mema ${name}: interrupted (${interruption.by}) while preparing; what was split is cached whole\n`);
          return interruption.exitCode;
        }
        const points = sweeps.reduce((n, s) => n + s.runs.length, 0);
        if (ctx.values.quiet !== true) ctx.err(`mema ${name}: prepared ${points} run${points === 1 ? "" : "s"} of ${file}; nothing run\n`);
        return 0;
      }
      if (interruption.by && reports.length === 0) {
        // Nothing ran: no report, and the files of an earlier run stay as they were.
        ctx.err(`mema ${name}: interrupted (${interruption.by}) before any run had started; nothing written\n`);
        return interruption.exitCode;
      }
      if (reports.length === 0 && sweeps.some((s) => s.runs.length > 0)) throw new UsageError(`every run of ${file} was refused (see above)`, "E_TOO_BIG");
    } else {
      // The simulator's model planning (protobuf) and device profiles load here, not with the module: a real
      // run's main thread does not need them (its memory before the first load is the device's).
      const [{ profiledResolver }, simulation] = await Promise.all([import("../runtime/schedule/profiled-networks.ts"), plugins.simulation()]);
      const profile = simulation.profiles.load((ctx.values.profile as string | undefined) ?? "rpi4");
      // Model files are planned here (loading onnxruntime only when one needs its shapes discovered).
      const files = sweeps.flatMap(({ pipeline }) => pipeline.models).filter((m) => m.source.kind === "file");
      const fileLayers = files.length === 0 ? undefined : await (await import("../runtime/model/split.ts")).fileLayerPlanner(files);
      const resolver = profiledResolver(profile, simulation, fileLayers ? { fileLayers } : {});
      const total = sweeps.reduce((n, s) => n + s.runs.length, 0);
      for (const { pipeline, runs } of sweeps) {
        for (const settings of runs) {
          try {
            reports.push(...simulatePipeline(pipeline, resolver, { seed, admission: admission as Admission, sessionOverheadBytes, policies: plugins.policyByName }, [settings]));
          } catch (error) {
            // In a sweep, a policy whose graph can never fit one budget is a finding, not a failure.
            if (total === 1 || !(error instanceof SchedulingError) || (error.code !== "E_TOO_BIG" && error.code !== "E_DEVICE_MEMORY")) throw error;
            ctx.err(`mema ${name}: ${pipeline.name}: ${settings.policy} at ${formatBudget(settings.memoryBytes)} refused: ${error.message}\n`);
            refused.push({ pipeline: pipeline.name, policy: settings.policy, budgetBytes: settings.memoryBytes, workers: settings.workers, reason: error.message });
          }
        }
      }
      if (reports.length === 0) throw new UsageError(`every run of ${file} was refused (see above)`, "E_TOO_BIG");
    }

    const written = await writingOutput(() =>
      writeReportFiles(reports, { jsonPath: ctx.values.json as string | undefined, csvDir: ctx.values.csv as string | undefined, timelinePath: timeline }),
    );
    if (written.length > 0) ctx.err(`wrote ${forTerminal(written.join(", "))}\n`);
    // A signal while the reports were written: they are whole (each written atomically), the exit says it came.
    return { reports, refused, ...(interruption?.by ? { exitCode: interruption.exitCode } : {}) };
  }
}
