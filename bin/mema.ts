#!/usr/bin/env -S deno run -A
// The CLI entry for every runtime: `npx mema`, `bun bin/mema.ts`, `deno run -A bin/mema.ts`.
import { main } from "../cli/main.ts";

process.exitCode = await main(process.argv.slice(2));
