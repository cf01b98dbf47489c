#!/usr/bin/env node
// The `npx mema` entry: Node 20 runs TypeScript only through tsx, so register it, then hand over.
import { setFlagsFromString } from "node:v8";
import { register } from "tsx/esm/api";

// V8 young generations of 1 MiB semi-spaces (runtime/execute/young-generation.ts has why for the session
// workers). Set before tsx registers, they also size the isolate of tsx's loader thread; the main isolate's
// semi-spaces were sized at start-up (up to 16 MiB), but a growth factor of 1 keeps them from growing past
// their first 1 MiB. Starting a worker thread (tsx's loader, just now) puts the growth factor back to V8's
// default for the main isolate (measured: its new space then grew 2 -> 32 MiB while the modules loaded), so
// it is set again. Measured on `mema run examples/faces.mema`: ~20 MiB less RSS before the first load.
const smallYoungGeneration = () => {
  for (const flag of ["--semi-space-growth-factor=1", "--min-semi-space-size=1", "--max-semi-space-size=1"]) setFlagsFromString(flag);
};
smallYoungGeneration();
register();
smallYoungGeneration();
await import("./mema.ts");
