#!/usr/bin/env node
// The `npx mema` entry: Node 20 runs TypeScript only through tsx, so register it, then hand over.
import { register } from "tsx/esm/api";

register();
await import("./mema.ts");
