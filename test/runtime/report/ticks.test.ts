// Axis ticks: 1-2-5 steps, labels in the unit a reader expects.
import assert from "node:assert/strict";
import { test } from "node:test";
import { byteTicks, niceStep, timeTicks } from "../../../runtime/report/ticks.ts";

test("nice steps", () => {
  assert.equal(niceStep(100, 10), 10);
  assert.equal(niceStep(12_100, 11), 2000);
  assert.equal(niceStep(0.9, 10), 0.1);
  assert.equal(niceStep(0, 10), 1);
});

test("time ticks: ms for short runs, s from 2 s on", () => {
  assert.deepEqual(timeTicks(100, 5).map((t) => t.label), ["0", "20 ms", "40 ms", "60 ms", "80 ms", "100 ms"]);
  assert.deepEqual(timeTicks(12_100, 6).map((t) => t.label), ["0", "5 s", "10 s"]);
  assert.deepEqual(timeTicks(3000, 6).map((t) => t.label), ["0", "0.5 s", "1.0 s", "1.5 s", "2.0 s", "2.5 s", "3.0 s"]);
  assert.equal(timeTicks(0.4, 4).at(-1)?.label, "0.4 ms");
});

test("byte ticks reach the extent, in MiB or GiB", () => {
  const mib = 1024 * 1024;
  const ticks = byteTicks(256 * mib, 5);
  assert.ok((ticks.at(-1)?.value ?? 0) >= 256 * mib);
  assert.deepEqual(ticks.map((t) => t.label), ["0", "100 MiB", "200 MiB", "300 MiB"]);
  assert.deepEqual(byteTicks(3 * 1024 * mib, 4).map((t) => t.label), ["0", "1 GiB", "2 GiB", "3 GiB"]);
});

test("time ticks inside a window start at the first multiple of the step", () => {
  assert.deepEqual(timeTicks(4000, 4, 2000).map((t) => t.label), ["2.0 s", "2.5 s", "3.0 s", "3.5 s", "4.0 s"]);
  assert.deepEqual(timeTicks(130, 3, 15).map((t) => t.value), [50, 100]);
});
