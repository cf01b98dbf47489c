// Node 20 starts a worker only from JavaScript and does not pass tsx's hooks on: register tsx in
// the worker's own thread, then load the TypeScript worker. Bun and Deno load the .ts directly.
import { register } from "tsx/esm/api";

register();
await import("./session-worker.ts");
