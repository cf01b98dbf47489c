// onnxruntime session options for real runs: the pipeline's `session { ... }`, then the command line's,
// over defaults measured on a 2-core machine (bench/results/real.md).
import { availableParallelism } from "node:os";
import { readSessionOption, SESSION_OPTIONS } from "../../lang/session-options.ts";
import type { SessionSettings } from "../host/session-protocol.ts";

export type SessionRecord = Record<string, number | string | boolean>;

/** A session option the user got wrong: one line naming the option and what it takes. */
export class SessionOptionError extends Error {
  override name = "SessionOptionError";
  readonly code = "E_SESSION";
}

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

// The table knows every setting a session takes (a compile error when one is added to SessionSettings alone).
void (SESSION_OPTIONS satisfies Record<keyof SessionSettings, string>);

/** Checks one record of options (pipeline or command line) against lang/'s table and returns it typed. */
export function parseSessionRecord(record: SessionRecord, where: string): SessionSettings {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    const read = readSessionOption(key, value);
    if ("problem" in read) throw new SessionOptionError(`${where}: ${read.problem}`);
    out[key] = read.value;
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
