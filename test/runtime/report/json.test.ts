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

/** tinyReport() as --json writes it, checked by eye against tiny-report.ts (64 MiB = 67108864, 24 MiB = 25165824, ...). */
const TINY_JSON = `{
  "pipeline": "tiny",
  "policy": "mema",
  "memoryBudgetBytes": 67108864,
  "workers": 2,
  "simulated": true,
  "profile": "rpi4",
  "seed": 1,
  "makespanMs": 100,
  "lowerBoundMs": 80,
  "meanResponseMs": 85,
  "p95ResponseMs": 100,
  "peakAccountedBytes": 41943040,
  "networks": [
    {"name":"agenet","instance":0,"arrivalMs":0,"startMs":0,"endMs":70,"waitMs":0,"responseMs":70},
    {"name":"gendernet","instance":0,"arrivalMs":0,"startMs":5,"endMs":100,"waitMs":5,"responseMs":100}
  ],
  "steps": [
    {"network":"agenet","instance":0,"layer":"","kind":"init","worker":0,"startMs":0,"endMs":5,"bytes":1048576},
    {"network":"gendernet","instance":0,"layer":"","kind":"init","worker":1,"startMs":5,"endMs":10,"bytes":1048576},
    {"network":"agenet","instance":0,"layer":"conv1","kind":"load","worker":2,"startMs":5,"endMs":20,"bytes":8388608},
    {"network":"agenet","instance":0,"layer":"conv1","kind":"exec","worker":0,"startMs":20,"endMs":40,"bytes":2097152},
    {"network":"agenet","instance":0,"layer":"fc6","kind":"load","worker":2,"startMs":20,"endMs":45,"bytes":25165824},
    {"network":"agenet","instance":0,"layer":"conv1","kind":"free","worker":0,"startMs":40,"endMs":40,"bytes":0},
    {"network":"agenet","instance":0,"layer":"fc6","kind":"exec","worker":0,"startMs":45,"endMs":70,"bytes":1048576},
    {"network":"gendernet","instance":0,"layer":"conv1","kind":"load","worker":2,"startMs":45,"endMs":60,"bytes":8388608},
    {"network":"agenet","instance":0,"layer":"fc6","kind":"free","worker":0,"startMs":70,"endMs":70,"bytes":0},
    {"network":"gendernet","instance":0,"layer":"conv1","kind":"exec","worker":1,"startMs":60,"endMs":80,"bytes":2097152},
    {"network":"gendernet","instance":0,"layer":"fc6","kind":"load","worker":2,"startMs":60,"endMs":85,"bytes":25165824},
    {"network":"gendernet","instance":0,"layer":"conv1","kind":"free","worker":1,"startMs":80,"endMs":80,"bytes":0},
    {"network":"gendernet","instance":0,"layer":"fc6","kind":"exec","worker":1,"startMs":85,"endMs":100,"bytes":1048576},
    {"network":"gendernet","instance":0,"layer":"fc6","kind":"free","worker":1,"startMs":100,"endMs":100,"bytes":0}
  ],
  "memory": [
    {"atMs":0,"accountedBytes":1048576},
    {"atMs":5,"accountedBytes":10485760},
    {"atMs":20,"accountedBytes":37748736},
    {"atMs":40,"accountedBytes":27262976},
    {"atMs":45,"accountedBytes":41943040},
    {"atMs":70,"accountedBytes":10485760},
    {"atMs":85,"accountedBytes":37748736},
    {"atMs":100,"accountedBytes":0}
  ]
}
`;

test("one report is one object whose keys follow the contract, whatever the insertion order", () => {
  const report = tinyReport();
  assert.equal(toJson(report), TINY_JSON);
  const text = toJson(reversedKeys(report));
  assert.equal(text, TINY_JSON, "keys inserted in reverse: the same text");
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

test("a realistic run parses back to the same report, its real-run fields after the contract's", () => {
  const report = syntheticReport({ withRss: true });
  const text = toJson(report);
  assert.deepEqual(JSON.parse(text), JSON.parse(JSON.stringify(report)), "nothing lost");
  const lines = text.split("\n");
  // One line per step, network and memory sample, plus 2 lines for each of the three arrays and the fields.
  assert.equal(lines.filter((l) => l.startsWith('    {"network":')).length, report.steps.length);
  assert.equal(lines.filter((l) => l.startsWith('    {"name":')).length, report.networks.length);
  assert.ok(lines.includes(`  "baselineRssBytes": ${report.baselineRssBytes},`), "RSS fields as top-level lines");
  assert.ok(lines.indexOf(`  "peakRssBytes": ${report.peakRssBytes},`) < lines.indexOf('  "networks": ['));
});
