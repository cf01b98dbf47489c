// The sweep table wraps: budgets that do not fit the width go to further tables, each line within it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { renderComparison } from "../../../runtime/report/comparison.ts";
import { tinyReport } from "./tiny-report.ts";

const MIB = 1024 * 1024;
const sweep = [64, 128, 256, 512, 1024].flatMap((mib) =>
  ["mema", "bulk"].map((policy) => tinyReport({ policy, memoryBudgetBytes: mib * MIB, makespanMs: policy === "mema" ? 100 : 100 + mib })),
);

test("without a width, one table holds every budget", () => {
  const text = renderComparison(sweep, { withResponse: true });
  assert.equal(text.match(/^ {2}policy /gm)?.length, 1);
  assert.match(text, /budget 64 MiB .*budget 1 GiB/);
});

test("with a width, every line fits and every budget still appears once, in order", () => {
  const text = renderComparison(sweep, { withResponse: true, maxWidth: 120 });
  for (const line of text.split("\n")) assert.ok(line.length <= 120, `${line.length}: ${line}`);
  assert.ok((text.match(/^ {2}policy /gm)?.length ?? 0) >= 2, text);
  const budgets = [...text.replace(/fastest overall.*/, "").matchAll(/budget (\d+ [MG]iB)/g)].map((m) => m[1]);
  assert.deepEqual(budgets, ["64 MiB", "128 MiB", "256 MiB", "512 MiB", "1 GiB"]);
  // The ratio is to the best of each budget's column, wherever the column lands.
  assert.equal(text.match(/x1\.00 \*/g)?.length, 5);
  assert.equal(text.match(/fastest overall/g)?.length, 1);
});

test("a width narrower than one budget still gives one budget per table, never an empty one", () => {
  const text = renderComparison(sweep, { maxWidth: 10 });
  assert.equal(text.match(/^ {2}policy /gm)?.length, 5);
});

test("a real run's baseline (no budget) stands in every budget column, not in a column of its own", () => {
  const runs = [
    tinyReport({ policy: "baseline", memoryBudgetBytes: null, simulated: false, makespanMs: 300 }),
    tinyReport({ policy: "mema", memoryBudgetBytes: 64 * MIB, simulated: false, makespanMs: 200 }),
    tinyReport({ policy: "mema", memoryBudgetBytes: 128 * MIB, simulated: false, makespanMs: 100 }),
  ];
  const text = renderComparison(runs);
  assert.doesNotMatch(text, /budget unlimited/);
  assert.match(text, /^ {2}baseline +300\.0 +x1\.50 .* 300\.0 +x3\.00 /m);
  assert.match(text, /^ {2}mema +200\.0 +x1\.00 \* .* 100\.0 +x1\.00 \* /m);
  assert.match(text, /baseline: a plain onnxruntime-node loop .* in every column/);
  // Alone (no scheduled run to stand beside), the baseline keeps its own column.
  assert.match(renderComparison([runs[0]!]), /budget unlimited/);
  // The baselines run on one thread; runs on 2 workers do not make that a sweep of workers.
  const twoWorkers = [
    tinyReport({ policy: "baseline", baseline: "careful", workers: 1, memoryBudgetBytes: null, simulated: false, makespanMs: 300 }),
    ...runs.slice(1).map((r) => ({ ...r, workers: 2 })),
  ];
  const wide = renderComparison(twoWorkers);
  assert.match(wide, /^ {2}baseline careful +300\.0 +x1\.50 .* 300\.0 +x3\.00 /m);
  assert.doesNotMatch(wide, /workers/);
});
