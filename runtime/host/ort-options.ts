// Mema's session settings as onnxruntime-node options: the exact options (runtime/host/onnxruntime.ts)
// with the run's settings on top. Used by the session workers and the baseline loop alike.
import { EXACT_SESSION_OPTIONS } from "./onnxruntime.ts";
import type { SessionSettings } from "./session-protocol.ts";

export function ortSessionOptions(settings: SessionSettings): typeof EXACT_SESSION_OPTIONS {
  const { disablePrepacking, ...plain } = settings;
  const result: typeof EXACT_SESSION_OPTIONS = { ...EXACT_SESSION_OPTIONS, ...plain };
  if (disablePrepacking !== undefined) result.extra = { session: { disable_prepacking: disablePrepacking ? "1" : "0" } };
  return result;
}
