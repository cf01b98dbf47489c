// Frees that free: a real run fixes the C library's mmap threshold (native.mjs fixMmapThreshold), so that a
// freed block of a few MiB leaves the process at once instead of staying in a thread's heap.
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { runRealScenario } from "../../../runtime/execute/real-run.ts";
import { defaultSessionSettings } from "../../../runtime/execute/session-options.ts";
import { sameRuntimeCommand } from "../../../runtime/host/emulate.ts";
import { policyByName } from "../../../stdlib/policies/index.ts";
import { ocrNetworks, ocrScenario } from "../execute/ocr-scenario.ts";
import { skipTest } from "../../skip.ts";
import { returnedOnFree } from "./heap-probe.mjs";

const MiB = 2 ** 20;
const fixture = fileURLToPath(new URL("./mmap-threshold-fixture.mjs", import.meta.url));

/** heap-probe.mjs's figure in a fresh process of this runtime (the threshold is process-wide, and glibc's default moves with what was freed). */
function inFreshProcess(mode: "default" | "fixed"): number | null {
  const command = sameRuntimeCommand(fixture, [mode]);
  const r = spawnSync(command[0]!, command.slice(1), { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const out = r.stdout.trim();
  return out === "unavailable" ? null : Number(out);
}

test("with the threshold fixed at 1 MiB a freed 4 MiB block goes back at once; by glibc's default it stays (the case the fix is for)", (t: TestContext) => {
  const fixed = inFreshProcess("fixed");
  if (fixed === null) return skipTest(t, "no glibc mallopt reachable here");
  assert.ok(fixed >= 3.5 * MiB, `returned ${fixed} bytes`);
  const byDefault = inFreshProcess("default");
  assert.ok(byDefault !== null && byDefault < MiB, `by default returned ${byDefault} bytes`);
});

test("a real run leaves its process with the threshold fixed", async (t: TestContext) => {
  if (inFreshProcess("fixed") === null) return skipTest(t, "no glibc mallopt reachable here");
  const networks = await ocrNetworks();
  const session = defaultSessionSettings(2);
  await runRealScenario(ocrScenario(networks, 1), { policy: policyByName("linear")!, workers: 2, memoryBudgetBytes: null, session });
  const returned = returnedOnFree()!;
  assert.ok(returned >= 3.5 * MiB, `returned ${returned} bytes`);
});
