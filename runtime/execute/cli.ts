// `mema run` without --simulate: every sweep point run for real, with a progress bar on a terminal, an
// optional --baseline first, and Ctrl-C turning into a partial report (the CLI then exits with 130).
import type { PipelinePlan, RunSettings } from "../../lang/plan.ts";
import { createProgress } from "../report/progress.ts";
import type { Refusal } from "../report/comparison.ts";
import type { RunReport } from "../report/types.ts";
import { ImageInputError } from "../host/image.ts";
import { prepareReal, type RealPipeline, type RealPlugins } from "./index.ts";
import { parseSessionFlag, SessionOptionError, type SessionRecord } from "./session-options.ts";
import type { Admission } from "../schedule/policy.ts";
import { SchedulingError } from "../schedule/engine.ts";
import { formatBudget } from "../report/quantity.ts";
import type { BaselineKind } from "./baseline-kinds.ts";
import { type Interruption, RunInterrupted, watchInterrupts } from "./interrupt.ts";

/** A mistake in what the user gave a real run (session options, image files): printed as one line. */
export class RealRunInputError extends Error {
  override name = "RealRunInputError";
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

export interface RealCliOptions {
  /** The policies and the zoo (the CLI passes stdlib's). */
  plugins: RealPlugins;
  seed?: number;
  admission?: Admission;
  sessionOverheadBytes?: number;
  /** `--session key=value,...` as typed. */
  session?: string;
  /** `--baseline [KIND,...]`: these plain onnxruntime-node loops first, in the same run. */
  baseline?: BaselineKind[];
  quiet?: boolean;
  /**
   * Split and cache what the runs need (layers, units, tiles, the baselines' whole-model files) and run
   * nothing: `mema run --prepare`, and what `--emulate` does before the cgroup. Returns no report.
   */
  prepareOnly?: boolean;
  /** Status lines (preparation, Ctrl-C). */
  err(text: string): void;
  /** A sweep point refused (its policy can never fit the budget); the sweep goes on. */
  onRefused?(refusal: Refusal): void;
  /** SIGINT/SIGTERM watched by the caller (over the runs and what it does after); default: watched here, during the runs. */
  interruption?: Interruption;
  /** Where the bar goes; default process.stderr. */
  stream?: { write(text: string): unknown; isTTY?: boolean; columns?: number };
}

/**
 * Runs each pipeline's sweep for real; after Ctrl-C or SIGTERM the reports so far come back, the last one
 * `interrupted` if it had started (`interruption.by` says whether a signal came).
 */
export async function runRealSweeps(sweeps: { pipeline: PipelinePlan; runs: RunSettings[] }[], options: RealCliOptions): Promise<RunReport[]> {
  let session: SessionRecord = {};
  try {
    if (options.session !== undefined) session = parseSessionFlag(options.session);
  } catch (error) {
    throw asInputError(error);
  }
  // A caller that writes files after the runs (the CLI) watches for signals over that too, and passes its own.
  const interruption = options.interruption ?? watchInterrupts({ say: options.err });
  const signal = interruption.signal;
  const stream = options.stream ?? process.stderr;
  const reports: RunReport[] = [];
  const totalRuns = sweeps.reduce((n, s) => n + s.runs.length, 0) + (options.baseline?.length ?? 0) * sweeps.length;
  try {
    for (const { pipeline, runs } of sweeps) {
      let prepared: RealPipeline;
      try {
        prepared = await prepareReal(pipeline, options.plugins, { signal, onStatus: (m) => !options.quiet && options.err(`mema: ${m}\n`) });
      } catch (error) {
        if (error instanceof RunInterrupted) break;
        throw asInputError(error);
      }
      const common = {
        session,
        seed: options.seed,
        admission: options.admission,
        sessionOverheadBytes: options.sessionOverheadBytes,
        signal,
      };
      if (options.prepareOnly) {
        for (const settings of runs) {
          if (signal.aborted) break;
          try {
            await prepared.prepare(settings, common);
          } catch (error) {
            if (error instanceof RunInterrupted) break;
            // A point its policy can never fit is said by the run itself; preparing it leaves nothing to cache.
            if (!(error instanceof SchedulingError) || error.code !== "E_TOO_BIG") throw asInputError(error);
          }
        }
        continue;
      }
      const withBar = async (run: (onProgress: (p: { stepsDone: number; stepsTotal: number; networksDone: number; networksTotal: number }) => void) => Promise<RunReport>) => {
        const bar = createProgress({ total: 1, stream, quiet: options.quiet });
        try {
          return await run((p) => bar.update(p));
        } finally {
          bar.finish();
        }
      };
      const attempt = async (run: () => Promise<RunReport>) => {
        try {
          return await run();
        } catch (error) {
          throw asInputError(error);
        }
      };
      for (const kind of options.baseline ?? []) {
        if (signal.aborted) break;
        reports.push(await attempt(() => withBar((onProgress) => prepared.baseline({ ...common, onProgress, kind, workers: runs[0]?.workers }))));
      }
      for (const settings of runs) {
        if (signal.aborted) break;
        try {
          reports.push(await attempt(() => withBar((onProgress) => prepared.run(settings, { ...common, onProgress }))));
        } catch (error) {
          // Stopped before its first step (starting the workers): nothing of it to report.
          if (error instanceof RunInterrupted) break;
          // In a sweep, a policy that can never fit one budget is a finding, not a failure (as simulated).
          if (totalRuns === 1 || !(error instanceof SchedulingError) || error.code !== "E_TOO_BIG") throw error;
          options.err(`mema: ${pipeline.name}: ${settings.policy} at ${formatBudget(settings.memoryBytes)} refused: ${error.message}\n`);
          options.onRefused?.({ pipeline: pipeline.name, policy: settings.policy, budgetBytes: settings.memoryBytes, workers: settings.workers, reason: error.message });
        }
      }
      if (signal.aborted) break;
    }
  } finally {
    if (!options.interruption) interruption.dispose();
  }
  // A run stopped before any step ran reports nothing worth keeping.
  return reports.filter((r) => !r.interrupted || r.steps.length > 0);
}

function asInputError(error: unknown): unknown {
  if (error instanceof SessionOptionError) return new RealRunInputError(error.message, error.code);
  if (error instanceof ImageInputError) return new RealRunInputError(error.message, "E_IMAGE");
  return error;
}
