// --json: contract key order, deterministic text, an object per run and an array for sweeps, lossless.
import assert from "node:assert/strict";
import { test } from "node:test";
import { toJson } from "../../../runtime/report/json.ts";
import type { RunReport } from "../../../runtime/report/types.ts";
import { syntheticReport } from "./synthetic-report.ts";
import { tinyReport } from "./tiny-report.ts";

/** The same report with every object's keys inserted in reverse. */
function reversedKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map(reversedKeys) as T;
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reversedKeys(v)])) as T;
  }
  return value;
}

test("one report is one object whose keys follow the contract, whatever the insertion order", () => {
  const report = tinyReport();
  const text = toJson(reversedKeys(report));
  assert.equal(text, toJson(report));
  const parsed = JSON.parse(text) as Record<string, unknown>;
  assert.deepEqual(Object.keys(parsed), [
    "pipeline", "policy", "memoryBudgetBytes", "workers", "simulated", "profile", "seed", "makespanMs",
    "lowerBoundMs", "meanResponseMs", "p95ResponseMs", "peakAccountedBytes", "networks", "steps", "memory",
  ]);
  assert.deepEqual(Object.keys((parsed.steps as object[])[0] ?? {}), ["network", "instance", "layer", "kind", "worker", "startMs", "endMs", "bytes"]);
  assert.deepEqual(Object.keys((parsed.networks as object[])[0] ?? {}), ["name", "instance", "arrivalMs", "startMs", "endMs", "waitMs", "responseMs"]);
  assert.deepEqual(parsed, JSON.parse(JSON.stringify(report)), "nothing lost");
  assert.ok(text.endsWith("}\n"));
  // Steps one per line, so files diff line by line.
  assert.ok(text.includes('\n    {"network":"agenet","instance":0,"layer":"","kind":"init"'));
});

test("a sweep is an array; extra fields keep a sorted order after the contract's", () => {
  const real: RunReport & { extra?: object } = tinyReport({ simulated: false, baselineRssBytes: 1, peakRssBytes: 2 });
  real.extra = { zeta: 1, alpha: [{ b: 1, a: 2 }] };
  const text = toJson([tinyReport(), real]);
  const parsed = JSON.parse(text) as Record<string, unknown>[];
  assert.equal(parsed.length, 2);
  const keys = Object.keys(parsed[1] ?? {});
  assert.deepEqual(keys.slice(-6), ["baselineRssBytes", "peakRssBytes", "networks", "steps", "memory", "extra"]);
  assert.ok(text.includes('"extra": {"alpha":[{"a":2,"b":1}],"zeta":1}'));
  assert.equal(toJson([]), "[]\n");
});

test("a realistic run serialises identically twice and parses back to the same report", () => {
  const a = toJson(syntheticReport({ withRss: true }));
  const b = toJson(syntheticReport({ withRss: true }));
  assert.equal(a, b);
  assert.deepEqual(JSON.parse(a), JSON.parse(JSON.stringify(syntheticReport({ withRss: true }))));
});
