// `mema run` without --simulate: every sweep point run for real, with a progress bar on a terminal, an
// optional --baseline first, and Ctrl-C turning into a partial report (the CLI then exits with 130).
import type { PipelinePlan, RunSettings } from "../../lang/plan.ts";
import { createProgress } from "../report/progress.ts";
import type { Refusal } from "../report/comparison.ts";
import type { RunReport } from "../report/types.ts";
import { ImageInputError } from "../host/image.ts";
import { prepareReal, type RealPipeline } from "./index.ts";
import { parseSessionFlag, SessionOptionError, type SessionRecord } from "./session-options.ts";
import type { Admission } from "../schedule/policy.ts";
import { SchedulingError } from "../schedule/engine.ts";
import { formatBudget } from "../report/quantity.ts";
import type { BaselineKind } from "./baseline-kinds.ts";

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
  seed?: number;
  admission?: Admission;
  sessionOverheadBytes?: number;
  /** `--session key=value,...` as typed. */
  session?: string;
  /** `--baseline [KIND,...]`: these plain onnxruntime-node loops first, in the same run. */
  baseline?: BaselineKind[];
  quiet?: boolean;
  /** Status lines (preparation, Ctrl-C). */
  err(text: string): void;
  /** A sweep point refused (its policy can never fit the budget); the sweep goes on. */
  onRefused?(refusal: Refusal): void;
  /** Where the bar goes; default process.stderr. */
  stream?: { write(text: string): unknown; isTTY?: boolean; columns?: number };
}

/** Runs each pipeline's sweep for real; after Ctrl-C the reports so far come back, the last one `interrupted`. */
export async function runRealSweeps(sweeps: { pipeline: PipelinePlan; runs: RunSettings[] }[], options: RealCliOptions): Promise<RunReport[]> {
  let session: SessionRecord = {};
  try {
    if (options.session !== undefined) session = parseSessionFlag(options.session);
  } catch (error) {
    throw asInputError(error);
  }
  const controller = new AbortController();
  const onInterrupt = () => {
    // A second Ctrl-C does not wait: ending the process ends the workers and their sessions with it.
    if (controller.signal.aborted) process.exit(130);
    options.err("\nmema: stopping (Ctrl-C): no new steps; waiting for the running ones, then releasing sessions\n");
    controller.abort();
  };
  process.on("SIGINT", onInterrupt);
  const stream = options.stream ?? process.stderr;
  const reports: RunReport[] = [];
  const totalRuns = sweeps.reduce((n, s) => n + s.runs.length, 0) + (options.baseline?.length ?? 0) * sweeps.length;
  try {
    for (const { pipeline, runs } of sweeps) {
      let prepared: RealPipeline;
      try {
        prepared = await prepareReal(pipeline, { onStatus: (m) => !options.quiet && options.err(`mema: ${m}\n`) });
      } catch (error) {
        throw asInputError(error);
      }
      const common = {
        session,
        seed: options.seed,
        admission: options.admission,
        sessionOverheadBytes: options.sessionOverheadBytes,
        signal: controller.signal,
      };
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
        if (controller.signal.aborted) break;
        reports.push(await attempt(() => withBar((onProgress) => prepared.baseline({ ...common, onProgress, kind, workers: runs[0]?.workers }))));
      }
      for (const settings of runs) {
        if (controller.signal.aborted) break;
        try {
          reports.push(await attempt(() => withBar((onProgress) => prepared.run(settings, { ...common, onProgress }))));
        } catch (error) {
          // In a sweep, a policy that can never fit one budget is a finding, not a failure (as simulated).
          if (totalRuns === 1 || !(error instanceof SchedulingError) || error.code !== "E_TOO_BIG") throw error;
          options.err(`mema: ${pipeline.name}: ${settings.policy} at ${formatBudget(settings.memoryBytes)} refused: ${error.message}\n`);
          options.onRefused?.({ pipeline: pipeline.name, policy: settings.policy, budgetBytes: settings.memoryBytes, workers: settings.workers, reason: error.message });
        }
      }
      if (controller.signal.aborted) break;
    }
  } finally {
    process.off("SIGINT", onInterrupt);
  }
  return reports;
}

function asInputError(error: unknown): unknown {
  if (error instanceof SessionOptionError) return new RealRunInputError(error.message, error.code);
  if (error instanceof ImageInputError) return new RealRunInputError(error.message, "E_IMAGE");
  return error;
}
