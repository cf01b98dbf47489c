// onnxruntime session options for real runs: the pipeline's `session { ... }`, then the command line's,
// over defaults measured on a 2-core machine (bench/results/real.md).
import { availableParallelism } from "node:os";
import type { SessionSettings } from "../host/session-protocol.ts";

export type SessionRecord = Record<string, number | string | boolean>;

/** A session option the user got wrong: one line naming the option and what it takes. */
export class SessionOptionError extends Error {
  override name = "SessionOptionError";
  readonly code = "E_SESSION";
}

const LEVELS = ["disabled", "basic", "extended", "all"] as const;
const MODES = ["sequential", "parallel"] as const;

const KNOWN: Record<keyof SessionSettings, string> = {
  intraOpNumThreads: "an integer >= 0 (0: onnxruntime's default, one per core)",
  interOpNumThreads: "an integer >= 0",
  enableCpuMemArena: "true or false",
  enableMemPattern: "true or false",
  graphOptimizationLevel: LEVELS.join(", "),
  executionMode: MODES.join(", "),
  disablePrepacking: "true or false",
};

/**
 * Defaults, measured on this 2-core machine (bench/results/real.md):
 * - arena and memory pattern off: a released session gives its memory back (a budget needs that);
 * - prepacking off: with it, creating a session copies each Gemm/Conv weight into a packed buffer while the
 *   file's bytes are still mapped, so a layer needs twice its weights while it loads, and creating a 144 MiB
 *   fully connected layer took ~190 ms instead of ~1 ms; runs took about as long either way. It changes the
 *   last bits of Gemm results, so the whole-model baseline uses the same setting (digests stay equal);
 * - the cores shared among the workers: one intra-op thread per worker with 2 workers, since each worker's
 *   session already keeps a core busy.
 * The thread count follows `workers`, not the policy's lane count: some kernels (sos_googlenet's) change
 * their last bits with it, and every policy of a sweep point must give the same answer.
 */
export function defaultSessionSettings(workers: number, cores = availableParallelism()): SessionSettings {
  return {
    enableCpuMemArena: false,
    enableMemPattern: false,
    disablePrepacking: true,
    intraOpNumThreads: Math.max(1, Math.floor(cores / Math.max(1, workers))),
    interOpNumThreads: 1,
  };
}

/** Checks one record of options (pipeline or command line) and returns it typed. */
export function parseSessionRecord(record: SessionRecord, where: string): SessionSettings {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    if (!Object.hasOwn(KNOWN, key)) {
      throw new SessionOptionError(`${where}: unknown session option '${key}', expected one of: ${Object.keys(KNOWN).join(", ")}`);
    }
    const expected = KNOWN[key as keyof SessionSettings];
    let ok: boolean;
    let typed: unknown = value;
    switch (key) {
      case "intraOpNumThreads":
      case "interOpNumThreads":
        typed = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
        ok = typeof typed === "number" && Number.isInteger(typed) && typed >= 0;
        break;
      case "enableCpuMemArena":
      case "enableMemPattern":
      case "disablePrepacking":
        typed = value === "true" ? true : value === "false" ? false : value;
        ok = typeof typed === "boolean";
        break;
      case "graphOptimizationLevel":
        ok = (LEVELS as readonly unknown[]).includes(value);
        break;
      default:
        ok = (MODES as readonly unknown[]).includes(value);
    }
    if (!ok) throw new SessionOptionError(`${where}: session option '${key}' takes ${expected}, got ${JSON.stringify(value)}`);
    out[key] = typed;
  }
  return out as SessionSettings;
}

/** `--session key=value,key=value` as a record (values stay text; parseSessionRecord types them). */
export function parseSessionFlag(text: string): SessionRecord {
  const record: SessionRecord = {};
  for (const part of text.split(",").map((p) => p.trim()).filter(Boolean)) {
    const eq = part.indexOf("=");
    if (eq <= 0) throw new SessionOptionError(`--session: expected key=value, got '${part}'`);
    record[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return record;
}

/** Defaults, then the pipeline's options, then the command line's. */
export function resolveSessionSettings(workers: number, pipeline: SessionRecord = {}, overrides: SessionRecord = {}): SessionSettings {
  return {
    ...defaultSessionSettings(workers),
    ...parseSessionRecord(pipeline, "pipeline session"),
    ...parseSessionRecord(overrides, "--session"),
  };
}
