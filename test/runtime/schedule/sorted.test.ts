// insertionIndex: the binary search behind the engine's ready pools and the ledger's positions ahead.
import { test } from "node:test";
import assert from "node:assert/strict";
import { insertionIndex } from "../../../runtime/schedule/sorted.ts";

test("numbers: before equal keys, at the ends, in an empty array", () => {
  assert.equal(insertionIndex([], 5), 0);
  assert.equal(insertionIndex([1, 3, 3, 7], 0), 0);
  assert.equal(insertionIndex([1, 3, 3, 7], 3), 1);
  assert.equal(insertionIndex([1, 3, 3, 7], 4), 3);
  assert.equal(insertionIndex([1, 3, 3, 7], 9), 4);
});

test("objects by a key: the same places as a linear scan, and inserting there keeps the order", () => {
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) % 50;
  const pool: { taskId: number }[] = [];
  for (let n = 0; n < 300; n++) {
    const taskId = next();
    const i = insertionIndex(pool, taskId, (s) => s.taskId);
    const linear = pool.findIndex((s) => s.taskId >= taskId);
    assert.equal(i, linear < 0 ? pool.length : linear);
    pool.splice(i, 0, { taskId });
  }
  assert.deepEqual(pool.map((s) => s.taskId), pool.map((s) => s.taskId).sort((a, b) => a - b));
});
