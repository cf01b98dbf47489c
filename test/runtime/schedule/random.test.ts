// The seeded generators: mulberry32's stream is pinned (verify inputs and zoo weights depend on it), sfc32 repeats.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mulberry32, SeededRandom } from "../../../runtime/schedule/random.ts";
import { seedOf, weightValues } from "../../../stdlib/zoo/weights.ts";

test("mulberry32: the same stream as before it was shared (seeded inputs of mema verify)", () => {
  const next = mulberry32(42);
  assert.deepEqual([next(), next(), next()], [0.6011037519201636, 0.44829055899754167, 0.8524657934904099]);
});

test("the zoo's inlined weight loop draws mulberry32's stream", () => {
  const next = mulberry32(seedOf("agenet/conv1/w"));
  const expected = Float32Array.from({ length: 64 }, () => -0.5 + next());
  assert.deepEqual(weightValues("agenet/conv1/w", { kind: "uniform", low: -0.5, high: 0.5 }, 64), expected);
});

test("SeededRandom repeats for a seed and differs across seeds", () => {
  const a = new SeededRandom(7);
  const b = new SeededRandom(7);
  const c = new SeededRandom(8);
  const first = [a.next(), a.next()];
  assert.deepEqual(first, [b.next(), b.next()]);
  assert.notDeepEqual(first, [c.next(), c.next()]);
});
