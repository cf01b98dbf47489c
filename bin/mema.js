#!/usr/bin/env node
// The `npx mema` entry under Node: the compiled CLI in dist/ (`npm run build`, which `npm install` runs as
// `prepare`). In a checkout whose sources changed since that build, or that has none, the TypeScript sources
// through tsx (a devDependency) instead, so that a stale build is never run.
import { existsSync, readdirSync, statSync } from "node:fs";
import { setFlagsFromString } from "node:v8";

// V8 young generations of 1 MiB semi-spaces (runtime/execute/young-generation.ts has why). The main isolate's
// semi-spaces were sized at start-up, but a growth factor of 1 keeps them from growing past their first 1 MiB;
// starting a thread puts the factor back, so it is set again after tsx's loader thread starts.
const smallYoungGeneration = () => {
  for (const flag of ["--semi-space-growth-factor=1", "--min-semi-space-size=1", "--max-semi-space-size=1"]) setFlagsFromString(flag);
};
smallYoungGeneration();

const root = new URL("../", import.meta.url);
const compiled = new URL("dist/bin/mema.js", root);

/** Newest modification time (ms) of the sources dist/ is built from; only in a git checkout (an installed package has no sources to edit). */
function sourcesNewerThan(builtMs) {
  if (!existsSync(new URL(".git", root))) return false;
  const newer = (dir) =>
    readdirSync(dir, { withFileTypes: true }).some((entry) => {
      const path = new URL(entry.name + (entry.isDirectory() ? "/" : ""), dir);
      if (entry.isDirectory()) return newer(path);
      return /\.(ts|mjs|json)$/.test(entry.name) && statSync(path).mtimeMs > builtMs;
    });
  return ["bin/", "cli/", "lang/", "runtime/", "stdlib/"].some((d) => newer(new URL(d, root))) || statSync(new URL("index.ts", root)).mtimeMs > builtMs;
}

if (existsSync(compiled) && !sourcesNewerThan(statSync(compiled).mtimeMs)) {
  await import(compiled.href);
} else {
  const { register } = await import("tsx/esm/api");
  register();
  smallYoungGeneration();
  await import("./mema.ts");
}
