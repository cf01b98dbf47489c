// Merging short steps of a lane: wide steps keep their bar, short neighbours merge, nothing is dropped.
import assert from "node:assert/strict";
import { test } from "node:test";
import { laneBars } from "../../../runtime/report/lane-bars.ts";
import type { StepRecord } from "../../../runtime/report/types.ts";

const step = (network: string, kind: StepRecord["kind"], startMs: number, endMs: number): StepRecord => ({
  network, instance: 0, layer: `${network}-${startMs}`, kind, worker: 0, startMs, endMs, bytes: 0,
});

test("wide steps each get a bar, even of the same network and kind", () => {
  const bars = laneBars([step("a", "exec", 0, 10), step("a", "exec", 10, 20), step("b", "load", 20, 30)], 1);
  assert.equal(bars.length, 3);
});

test("short steps merge with neighbours; a bar spans its first start to its last end", () => {
  // 1 px per ms: three 0.5 ms steps of two networks, then a wide one.
  const steps = [step("a", "exec", 0, 0.5), step("b", "load", 0.5, 1), step("a", "exec", 1, 1.5), step("a", "exec", 1.5, 30)];
  const bars = laneBars(steps, 1);
  assert.equal(bars.length, 2);
  assert.deepEqual(bars[0]?.networks, ["a", "b"]);
  assert.deepEqual(bars[0]?.kinds, ["exec", "load"]);
  assert.equal(bars[0]?.startMs, 0);
  assert.equal(bars[0]?.endMs, 1.5);
  assert.equal(bars[1]?.steps.length, 1);
});

test("a visible gap keeps short steps apart; unsorted input is sorted", () => {
  const bars = laneBars([step("a", "exec", 10, 10.2), step("a", "exec", 0, 0.2)], 1);
  assert.equal(bars.length, 2);
  assert.equal(bars[0]?.startMs, 0);
});

test("property: every step lands in exactly one bar, bars do not overlap, wide steps stay alone", () => {
  let seed = 12345;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let run = 0; run < 200; run++) {
    const steps: StepRecord[] = [];
    let t = 0;
    for (let i = 0; i < 60; i++) {
      t += random() < 0.3 ? random() * 5 : 0;
      const d = random() < 0.5 ? random() * 0.5 : random() * 8;
      steps.push(step(random() < 0.5 ? "a" : "b", random() < 0.5 ? "load" : "exec", t, t + d));
      t += d;
    }
    const pxPerMs = 0.5 + random() * 3;
    const bars = laneBars(steps, pxPerMs);
    assert.equal(bars.reduce((n, b) => n + b.steps.length, 0), steps.length);
    assert.equal(new Set(bars.flatMap((b) => b.steps)).size, steps.length);
    for (let i = 1; i < bars.length; i++) assert.ok((bars[i]?.startMs ?? 0) >= (bars[i - 1]?.endMs ?? 0) - 1e-9);
    for (const b of bars) {
      const wide = b.steps.filter((s) => (s.endMs - s.startMs) * pxPerMs >= 2);
      assert.ok(wide.length <= 1, "two wide steps never share a bar");
      if (b.networks.length > 1 || b.kinds.length > 1) assert.equal(wide.length, 0, "only slivers mix");
    }
  }
});
