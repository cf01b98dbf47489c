// The library's `run` (index.ts gives it stdlib's plug-ins): a pipeline document (.mema text, YAML, JSON, or a
// compiled Plan) in, RunReports out; real execution on onnxruntime by default, the simulator with `simulate: true`.
import { compile } from "../../lang/index.ts";
import { type Diagnostic, renderDiagnostics } from "../../lang/diagnostics.ts";
import type { SourceHost } from "../../lang/host.ts";
import type { Plan, RunSettings } from "../../lang/plan.ts";
import { fileHost } from "../host/files.ts";
import type { Plugins } from "../plugins.ts";
import type { RunReport } from "../report/types.ts";
import { simulatePipeline } from "../schedule/pipeline.ts";
import { profiledResolver } from "../schedule/profiled-networks.ts";
import type { Admission } from "../schedule/policy.ts";
import { prepareReal, type Progress } from "./index.ts";
import { RunInterrupted } from "./interrupt.ts";
import type { BaselineKind } from "./baseline-kinds.ts";
import type { SessionRecord } from "./session-options.ts";

export interface RunDocumentOptions {
  /** How to read a text document; default: from `file`'s extension, else .mema. */
  format?: "mema" | "yaml" | "json";
  /** The document's file name: diagnostics show it, relative model paths resolve from its folder. */
  file?: string;
  /** File access for imports and model files; default: the file system. */
  host?: SourceHost;
  /** Only this pipeline of the document. */
  pipeline?: string;
  /** Replace the document's sweep (memory outermost, then policy, then workers). */
  runs?: RunSettings[];
  /** Simulate on a device profile instead of running on onnxruntime. */
  simulate?: boolean;
  /** Device profile for `simulate`: "rpi4" (default) or a `mema profile` file. */
  profile?: string;
  seed?: number;
  admission?: Admission;
  sessionOverheadBytes?: number;
  /** Real runs: onnxruntime session options over the document's. */
  session?: SessionRecord;
  /**
   * Real runs: plain onnxruntime-node loops first, reported as policy "baseline": true = "naive", or the
   * kinds ("naive", "careful", "resident"; runtime/execute/baseline.ts).
   */
  baseline?: boolean | BaselineKind | BaselineKind[];
  /** Real runs: abort to stop (the last report then has `interrupted: true`). */
  signal?: AbortSignal;
  onProgress?(progress: Progress): void;
}

/**
 * A document `run` cannot run, as the CLI would refuse it: it does not compile (`code` is its first error's,
 * `diagnostics` all of them; the message renders them with file, line and column), or it has no pipeline of
 * the name asked for (E_PIPELINE).
 */
export class RunDocumentError extends Error {
  override name = "RunDocumentError";
  constructor(
    message: string,
    readonly code: string,
    readonly diagnostics: readonly Diagnostic[] = [],
  ) {
    super(message);
  }
}

function compileDocument(document: string, options: RunDocumentOptions): Plan {
  const file = options.file ?? (options.format === "yaml" ? "pipeline.yaml" : options.format === "json" ? "pipeline.json" : "pipeline.mema");
  const result = compile(document, { file, host: options.host ?? fileHost() });
  if (!result.plan) {
    // compile returns no plan only with an error among its diagnostics.
    const first = result.diagnostics.find((d) => d.severity === "error") ?? result.diagnostics[0];
    throw new RunDocumentError(renderDiagnostics(result.diagnostics, (f) => result.files.get(f)), first?.code ?? "E_INTERNAL", result.diagnostics);
  }
  return result.plan;
}

/** Runs every pipeline (each sweep point) of `document` with `plugins` and returns one report per run. */
export async function runDocument(document: string | Plan, plugins: Plugins, options: RunDocumentOptions = {}): Promise<RunReport[]> {
  const plan = typeof document === "string" ? compileDocument(document, options) : document;
  let pipelines = plan.pipelines;
  if (options.pipeline !== undefined) {
    pipelines = pipelines.filter((p) => p.name === options.pipeline);
    if (pipelines.length === 0) throw new RunDocumentError(`no pipeline '${options.pipeline}' (it has: ${plan.pipelines.map((p) => p.name).join(", ")})`, "E_PIPELINE");
  }
  const reports: RunReport[] = [];
  for (const pipeline of pipelines) {
    const runs = options.runs ?? pipeline.runs;
    if (options.simulate) {
      const files = pipeline.models.filter((m) => m.source.kind === "file");
      const fileLayers = files.length === 0 ? undefined : await (await import("../model/split.ts")).fileLayerPlanner(files);
      const simulation = await plugins.simulation();
      const resolver = profiledResolver(simulation.profiles.load(options.profile ?? "rpi4"), simulation, fileLayers ? { fileLayers } : {});
      reports.push(
        ...simulatePipeline(pipeline, resolver, { seed: options.seed, admission: options.admission, sessionOverheadBytes: options.sessionOverheadBytes, policies: plugins.policyByName }, runs),
      );
      continue;
    }
    try {
      const real = await prepareReal(pipeline, plugins, options);
      const kinds = options.baseline === true ? ["naive" as const] : options.baseline ? [options.baseline].flat() : [];
      for (const kind of kinds) reports.push(await real.baseline({ ...options, kind, workers: runs[0]?.workers }));
      for (const settings of runs) {
        if (options.signal?.aborted) break;
        reports.push(await real.run(settings, options));
      }
    } catch (error) {
      // Aborted before a run had begun (preparing, starting workers): the reports so far.
      if (error instanceof RunInterrupted) break;
      throw error;
    }
  }
  return reports;
}
