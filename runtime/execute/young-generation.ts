// Small V8 young generations for the session workers, so that dead output tensors are freed promptly.
import { setFlagsFromString } from "node:v8";

/**
 * onnxruntime-node hands each output to JavaScript as an ArrayBuffer over native memory, freed only when V8
 * collects the buffer's object. A worker allocates few JavaScript objects per step, so with V8's default
 * young generation (up to 16 MiB semi-spaces) it rarely collects and its dead outputs pile up until V8's
 * external-memory trigger (tens of MiB per isolate). Measured on PP-OCR det and AgeNet under 64 MB (2 workers,
 * batch 3; runtime/execute/README.md, "What the ledger missed"), peak RSS over the baseline: partial
 * 120 -> 77 MiB, masa 125 -> 83 MiB with 1 MiB semi-spaces (a worker calling gc() after each exec: 102 MiB). V8 reads these flags when an isolate is
 * created, so this must run before the pool's workers start; it affects isolates made afterwards (and
 * starting a thread resets the growth factor for the main isolate: call it again after). Node
 * only: Bun (JavaScriptCore) has no such flags and Deno ignores them here, so both keep their defaults.
 */
export function useSmallYoungGeneration(): void {
  if (typeof (globalThis as { Bun?: unknown }).Bun !== "undefined" || typeof (globalThis as { Deno?: unknown }).Deno !== "undefined") return;
  try {
    setFlagsFromString("--semi-space-growth-factor=1");
    setFlagsFromString("--min-semi-space-size=1");
    setFlagsFromString("--max-semi-space-size=1");
  } catch {
    // A runtime without V8 flags keeps its defaults.
  }
}

