// Real runs fitted to their budget by the scheduler's one fitting loop (runtime/schedule/fit.ts): a model file
// is split again only for a layer the scheduler asks to tile, never where tiling cannot help.
import { test } from "node:test";
import assert from "node:assert/strict";
import { compile } from "../../../lang/index.ts";
import { fileHost } from "../../../runtime/host/files.ts";
import { prepareReal } from "../../../runtime/execute/index.ts";
import { stdlib } from "../../../stdlib/index.ts";
import { SchedulingError } from "../../../runtime/schedule/engine.ts";

test("whole-network and DeepEye refusals split nothing they need not; the refusal names the step", async () => {
  const { plan, diagnostics } = compile("pipeline z { model agenet; memory 12MB; policy bulk; workers 2; arrivals batch 1; }", { file: "z.mema", host: fileHost() });
  assert.ok(plan, diagnostics.map((d) => d.message).join("; "));
  const statuses: string[] = [];
  const real = await prepareReal(plan.pipelines[0]!, stdlib, { onStatus: (message: string) => statuses.push(message) });
  statuses.length = 0;
  // Bulk loads whole networks: no tile makes AgeNet fit 12 MB (was: seven futile re-splits, then the
  // splitter's E_CAP about one output feature of fc6).
  await assert.rejects(
    real.run({ policy: "bulk", workers: 2, memoryBytes: 12e6 }),
    (e: unknown) =>
      e instanceof SchedulingError &&
      e.code === "E_TOO_BIG" &&
      /^network agenet, exec of the whole network: policy bulk needs \d+ bytes at that step, more than the budget of 12000000 bytes \(it loads whole networks/.test(e.message),
  );
  assert.deepEqual(statuses.filter((s) => s.startsWith("tiling")), []);
  // DeepEye holds every conv layer with fc6: fc6 is tiled once as asked, then the scenario is refused.
  await assert.rejects(
    real.run({ policy: "deepeye", workers: 2, memoryBytes: 23e6 }),
    (e: unknown) => e instanceof SchedulingError && e.code === "E_TOO_BIG" && /^network agenet, exec of layer fc6#\d+\/\d+ .* even tiled \(DeepEye/.test(e.message),
  );
  assert.equal(statuses.filter((s) => s.startsWith("tiling")).length, 1, statuses.join("; "));
});
