// Node 20 starts a worker only from JavaScript: register tsx in the worker's thread, then load it.
import { register } from "tsx/esm/api";

register();
await import("./rss-worker.ts");
