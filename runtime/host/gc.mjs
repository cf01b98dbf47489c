// A full garbage collection of the calling thread's heap, where the runtime allows it. onnxruntime-node's
// tensors are ArrayBuffers over native memory, given back only when the collector reaches them; a thread
// that lets many of them go asks for a collection instead of waiting. Plain JavaScript (the session workers
// import it without a TypeScript loader).
import v8 from "node:v8";
import vm from "node:vm";

let collector;

/** Collects now (Node: V8's `gc`, exposed at run time; Bun: `Bun.gc`; Deno: V8's `gc`); false where it cannot. */
export function collectGarbage() {
  if (collector === undefined) {
    const bun = globalThis.Bun;
    collector = globalThis.gc ?? (bun ? () => bun.gc(true) : null);
    if (!collector) {
      try {
        v8.setFlagsFromString("--expose-gc");
        collector = vm.runInNewContext("gc");
      } catch {
        collector = null;
      }
    }
  }
  collector?.();
  return collector !== null;
}
