// The onnxruntime session options a pipeline's `session { ... }` (or `--session`) may set, and what each
// takes: one table, read by the checker (so `mema check` refuses a bad value) and by runtime/execute.
import { MAX_SESSION_THREADS } from "./limits.ts";

export type SessionValue = number | string | boolean;

export const GRAPH_OPTIMIZATION_LEVELS = ["disabled", "basic", "extended", "all"] as const;
export const EXECUTION_MODES = ["sequential", "parallel"] as const;

/** Each known option and what it takes, in words (the order messages list them). */
export const SESSION_OPTIONS = {
  intraOpNumThreads: `an integer from 0 to ${MAX_SESSION_THREADS} (0: onnxruntime's default, one per core)`,
  interOpNumThreads: `an integer from 0 to ${MAX_SESSION_THREADS}`,
  enableCpuMemArena: "true or false",
  enableMemPattern: "true or false",
  graphOptimizationLevel: GRAPH_OPTIMIZATION_LEVELS.join(", "),
  executionMode: EXECUTION_MODES.join(", "),
  disablePrepacking: "true or false",
} as const;

export type SessionOptionName = keyof typeof SESSION_OPTIONS;

/**
 * One option's value typed (`"2"` from `--session` is 2, `"true"` is true), or the problem with it: an
 * unknown option, or a value the option does not take.
 */
export function readSessionOption(key: string, value: SessionValue): { value: SessionValue } | { problem: string } {
  if (!Object.hasOwn(SESSION_OPTIONS, key)) {
    return { problem: `unknown session option '${key}', expected one of: ${Object.keys(SESSION_OPTIONS).join(", ")}` };
  }
  const name = key as SessionOptionName;
  let typed: SessionValue = value;
  let ok: boolean;
  switch (name) {
    case "intraOpNumThreads":
    case "interOpNumThreads":
      typed = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
      ok = typeof typed === "number" && Number.isInteger(typed) && typed >= 0 && typed <= MAX_SESSION_THREADS;
      break;
    case "enableCpuMemArena":
    case "enableMemPattern":
    case "disablePrepacking":
      typed = value === "true" ? true : value === "false" ? false : value;
      ok = typeof typed === "boolean";
      break;
    case "graphOptimizationLevel":
      ok = (GRAPH_OPTIMIZATION_LEVELS as readonly unknown[]).includes(value);
      break;
    case "executionMode":
      ok = (EXECUTION_MODES as readonly unknown[]).includes(value);
      break;
  }
  return ok ? { value: typed } : { problem: `session option '${key}' takes ${SESSION_OPTIONS[name]}, got ${JSON.stringify(value)}` };
}
