// Arrivals from the plan: batch rounds, periods, seeded normal/poisson gaps, explicit gaps, picks.
import { test } from "node:test";
import assert from "node:assert/strict";
import { arrivalStream, expandArrivals } from "../../../runtime/schedule/arrivals.ts";
import { SeededRandom } from "../../../runtime/schedule/random.ts";

test("batch: rounds of every model, gated, the first at 0", () => {
  const s = expandArrivals({ kind: "batch", rounds: 3, gapMs: 50 }, 2);
  assert.equal(s.gated, true);
  assert.deepEqual(s.arrivals, [{ networks: [0, 1], gapMs: 0 }, { networks: [0, 1], gapMs: 50 }, { networks: [0, 1], gapMs: 50 }]);
});

test("periodic, poisson and normal are not gated; seeded gaps repeat and differ by seed", () => {
  assert.deepEqual(expandArrivals({ kind: "periodic", count: 3, periodMs: 20 }, 1).arrivals.map((a) => a.gapMs), [0, 20, 20]);
  const poisson = (seed: number) => expandArrivals({ kind: "poisson", count: 200, meanMs: 100, seed }, 1);
  assert.equal(poisson(1).gated, false);
  assert.deepEqual(poisson(1), poisson(1));
  assert.notDeepEqual(poisson(1).arrivals, poisson(2).arrivals);
  const gaps = poisson(3).arrivals.slice(1).map((a) => a.gapMs);
  const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
  assert.ok(mean > 70 && mean < 130, `poisson mean ${mean}`);
  assert.ok(gaps.every((g) => Number.isInteger(g) && g >= 0));
  const normal = expandArrivals({ kind: "normal", count: 500, meanMs: 1000, stddevMs: 100, seed: 4 }, 1).arrivals.map((a) => a.gapMs);
  const m = normal.reduce((a, b) => a + b, 0) / normal.length;
  const sd = Math.sqrt(normal.reduce((a, b) => a + (b - m) ** 2, 0) / normal.length);
  assert.ok(Math.abs(m - 1000) < 20 && sd > 80 && sd < 120, `normal mean ${m} sd ${sd}`);
  assert.ok(normal[0]! > 0, "a normal list waits its first gap, as EdgeCaffe's stochastic lists do");
});

test("times are gaps since the previous admission, in the order given", () => {
  assert.deepEqual(expandArrivals({ kind: "times", timesMs: [0, 300, 100] }, 2).arrivals.map((a) => a.gapMs), [0, 300, 100]);
});

test("pick draws that many models per arrival, with replacement, seeded", () => {
  const a = expandArrivals({ kind: "periodic", count: 300, periodMs: 1, pick: { count: 3, seed: 9 } }, 4).arrivals;
  assert.ok(a.every((x) => x.networks.length === 3 && x.networks.every((n) => n >= 0 && n < 4)));
  const counts = [0, 1, 2, 3].map((n) => a.flatMap((x) => x.networks).filter((m) => m === n).length);
  assert.ok(counts.every((c) => c > 150 && c < 300), `draws ${counts}`);
  assert.ok(a.some((x) => new Set(x.networks).size < 3), "with replacement");
  assert.deepEqual(a, expandArrivals({ kind: "periodic", count: 300, periodMs: 1, pick: { count: 3, seed: 9 } }, 4).arrivals);
});

test("the seeded generator gives the same numbers everywhere (fixed values)", () => {
  const r = new SeededRandom(42);
  const values = Array.from({ length: 3 }, () => r.next());
  const again = new SeededRandom(42);
  assert.deepEqual(values, Array.from({ length: 3 }, () => again.next()));
  assert.ok(values.every((v) => v >= 0 && v < 1));
  assert.notEqual(values[0], new SeededRandom(43).next());
});

test("arrivalStream draws arrivals only when asked: the first of a billion at once, the same ones expandArrivals lists", () => {
  const plan = { kind: "poisson", count: 1_000_000_000, meanMs: 100, seed: 3, pick: { count: 2, seed: 3 } } as const;
  const first: unknown[] = [];
  for (const arrival of arrivalStream(plan, 4)) if (first.push(arrival) === 50) break;
  assert.deepEqual(first, expandArrivals({ ...plan, count: 50 }, 4).arrivals);
});
