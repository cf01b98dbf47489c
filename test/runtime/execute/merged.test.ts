// Real runs in merged units (mema's default): consecutive layers share one session, sized from the budget;
// the answers stay bit-identical to the whole model's and the ledger stays within the budget.
import { test } from "node:test";
import assert from "node:assert/strict";
import { compile } from "../../../lang/index.ts";
import { fileHost } from "../../../runtime/host/files.ts";
import { prepareReal } from "../../../runtime/execute/index.ts";
import { mergeBytesFor } from "../../../runtime/schedule/units.ts";
import { stdlib } from "../../../stdlib/index.ts";
import type { RunReport } from "../../../runtime/report/types.ts";
import { CLS, DET } from "../host/ocr-models.ts";

const MiB = 2 ** 20;

async function prepared(text: string) {
  const { plan, diagnostics } = compile(text, { file: "merged.mema", host: fileHost() });
  assert.ok(plan, diagnostics.map((d) => d.message).join("; "));
  return prepareReal(plan.pipelines[0]!, stdlib);
}

const answers = (report: RunReport) => report.networks.map((n) => `${n.name}#${n.instance}:${n.outputDigest}`).sort().join(" ");
const loadsPerInstance = (report: RunReport) => report.steps.filter((s) => s.kind === "load").length / report.networks.length;

test("mergeBytesFor: an eighth of the budget when it holds every weight; below that sqrt(streamed x 1 MiB), within [1 MiB, budget/4]", () => {
  assert.equal(mergeBytesFor(null), Number.MAX_SAFE_INTEGER);
  assert.equal(mergeBytesFor(2 ** 40), 2 ** 37);
  assert.equal(mergeBytesFor(256 * MiB), 32 * MiB);
  assert.equal(mergeBytesFor(256 * MiB, 256 * MiB), 32 * MiB);
  assert.equal(mergeBytesFor(MiB), MiB);
  // 544 MiB of weights (MemA) at half: 272 MiB streamed per round, units of sqrt(272 MiB x 1 MiB) = 16.5 MiB.
  assert.equal(mergeBytesFor(272 * MiB, 544 * MiB), Math.floor(Math.sqrt(272) * MiB));
  // Light (110 MiB) at a quarter: the optimum (9.1 MiB) is over a quarter of the budget (6.9 MiB).
  assert.equal(mergeBytesFor(27.5 * MiB, 110 * MiB), Math.floor((27.5 * MiB) / 4));
  // A tiny budget: never under 1 MiB.
  assert.equal(mergeBytesFor(2 * MiB, 100 * MiB), MiB);
});

test("mema runs merged units by default; every granularity and budget answers as the whole model", async () => {
  const ocr = await prepared(`pipeline ocr {
    model cls from ${JSON.stringify(CLS.path)} { shapes: { x: [1, 3, 48, 192] }, seed: 4 };
    model det from ${JSON.stringify(DET.path)} { shapes: { x: [1, 3, 160, 160] } };
    memory unlimited; policy mema; workers 2; arrivals batch 2;
  }`);
  const layers = ocr.networks.reduce((n, net) => n + net.model.layers.length, 0) / ocr.networks.length;
  const baseline = await ocr.baseline({ workers: 2 });
  const merged = await ocr.run({ policy: "mema", workers: 2, memoryBytes: null });
  assert.equal(loadsPerInstance(merged), 1, "with ample memory, one session per network");
  assert.equal(answers(merged), answers(baseline));

  const layered = await ocr.run({ policy: "mema", workers: 2, memoryBytes: null }, { granularity: "layers" });
  assert.equal(loadsPerInstance(layered), layers);
  assert.equal(answers(layered), answers(baseline));

  // 4 MB (det's largest exec holds ~3.2 MB with its workspace): units of at most 1 MiB, so more of them;
  // the ledger stays within the budget.
  const budgeted = await ocr.run({ policy: "mema", workers: 2, memoryBytes: 4e6 });
  assert.ok(loadsPerInstance(budgeted) > loadsPerInstance(merged));
  assert.ok(budgeted.peakAccountedBytes <= 4e6, `${budgeted.peakAccountedBytes} accounted`);
  assert.equal(answers(budgeted), answers(baseline));

  // Another policy merges only when asked.
  const partial = await ocr.run({ policy: "partial", workers: 2, memoryBytes: null });
  assert.equal(loadsPerInstance(partial), layers);
  const partialMerged = await ocr.run({ policy: "partial", workers: 2, memoryBytes: null }, { granularity: 512 * 1024 });
  assert.ok(loadsPerInstance(partialMerged) < layers);
  assert.equal(answers(partialMerged), answers(baseline));
});

test("merged units with tiles under a small budget keep AgeNet's answer", async () => {
  // AgeNet (fc6 alone 27 MiB) under 12 MB: fc6 cut into tiles, the rest merged in units of at most 3 MB.
  const agenet = await prepared("pipeline z { model agenet; memory 12MB; policy mema; workers 2; arrivals batch 1; }");
  const baseline = await agenet.baseline({ workers: 2 });
  const run = await agenet.run({ policy: "mema", workers: 2, memoryBytes: 12e6 });
  const largestLoad = Math.max(...run.steps.filter((s) => s.kind === "load").map((s) => s.bytes));
  assert.ok(largestLoad < 12e6 && largestLoad < 27 * MiB, `largest load ${largestLoad} bytes: fc6 ran as tiles`);
  assert.ok(run.peakAccountedBytes <= 12e6);
  assert.equal(run.networks[0]!.outputDigest, baseline.networks[0]!.outputDigest);
});
