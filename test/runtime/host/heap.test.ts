// Frees that free: a real run under a budget that cannot hold its weights fixes the C library's mmap threshold
// (native.mjs fixMmapThreshold), so that a freed block of a few MiB leaves the process at once instead of
// staying in a thread's heap.
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { sameRuntimeCommand } from "../../../runtime/host/emulate.ts";
import { skipTest } from "../../skip.ts";
import { ocrNetworks } from "../execute/ocr-scenario.ts";
import type { returnedOnFree } from "./heap-probe.mjs";

const MiB = 2 ** 20;
const fixture = fileURLToPath(new URL("./mmap-threshold-fixture.mjs", import.meta.url));

type Probe = ReturnType<typeof returnedOnFree>;

/** heap-probe.mjs's figures in a fresh process of this runtime (the threshold is process-wide, and glibc's default moves with what was freed). */
function inFreshProcess(mode: "default" | "fixed"): Probe {
  const command = sameRuntimeCommand(fixture, [mode]);
  const r = spawnSync(command[0]!, command.slice(1), { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim()) as Probe;
}

/** Gave back at least 7/8 of the block (RssAnon moves with other threads' allocations too). */
const gaveBack = (p: NonNullable<Probe>) => p.returned !== null && p.returned >= p.block * 0.875;
const said = (p: Probe) => (p === null ? "no figures" : `returned ${p.returned} of ${p.block} bytes (heaps held ${p.heapFree} free)`);

test("with the threshold fixed at 1 MiB a freed block of several MiB goes back at once; by glibc's default it stays (the case the fix is for)", (t: TestContext) => {
  const fixed = inFreshProcess("fixed");
  if (fixed === null) return skipTest(t, "no glibc mallopt and mallinfo2 reachable here");
  assert.ok(gaveBack(fixed), said(fixed));
  const byDefault = inFreshProcess("default");
  assert.ok(byDefault !== null && byDefault.returned !== null && byDefault.returned < MiB, `by default: ${said(byDefault)}`);
});

test("a real run whose budget cannot hold its weights leaves its process with the threshold fixed; one with room leaves glibc's own", async (t: TestContext) => {
  if (inFreshProcess("fixed") === null) return skipTest(t, "no glibc mallopt and mallinfo2 reachable here");
  // In a fresh process: a test process's heaps (Deno and Bun run every file in one) may hold too much free
  // memory to tell. Its models are split here first, so that it finds them in the cache: splitting frees
  // whole models' worth of memory into the heaps, which would hide the block as well.
  await ocrNetworks();
  const afterRun = (budget: "tight" | "ample") => {
    const command = sameRuntimeCommand(fileURLToPath(new URL("./real-run-threshold-fixture.ts", import.meta.url)), [budget]);
    const r = spawnSync(command[0]!, command.slice(1), { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout.trim().split("\n").at(-1)!) as Probe;
  };
  const tight = afterRun("tight");
  assert.ok(tight !== null && gaveBack(tight), `tight: ${said(tight)}`);
  // With room for every weight the run is CPU-bound, and a fresh mapping per large intermediate cost more than
  // it saved (runtime/execute/real-run.ts MMAP_THRESHOLD_BYTES).
  const ample = afterRun("ample");
  assert.ok(ample !== null && ample.returned !== null && ample.returned < MiB, `ample: ${said(ample)}`);
});
