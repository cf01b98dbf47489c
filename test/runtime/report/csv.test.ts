// --csv: steps.csv, networks.csv and layers.csv parse back to the report, quoting holds up to odd names.
import assert from "node:assert/strict";
import { test } from "node:test";
import { csvField, layersCsv, networksCsv, stepsCsv, toCsv } from "../../../runtime/report/csv.ts";
import { csvRecords, parseCsv } from "./csv-parse.ts";
import { syntheticReport } from "./synthetic-report.ts";
import { tinyReport } from "./tiny-report.ts";

test("fields are quoted exactly when they need it", () => {
  assert.equal(csvField("conv1"), "conv1");
  assert.equal(csvField('a,"b"'), '"a,""b"""');
  assert.equal(csvField("two\nlines"), '"two\nlines"');
  assert.equal(csvField(" padded"), '" padded"');
  assert.equal(csvField(null), "");
  assert.equal(csvField(Number.NaN), "");
  assert.equal(csvField(0.5), "0.5");
  const odd = ['net,"x"\r\n', "", "ünï"];
  assert.deepEqual(parseCsv(toCsv(["a", "b", "c"], [odd])), [["a", "b", "c"], odd]);
});

test("steps.csv holds every step, in order, with the contract's columns", () => {
  const report = syntheticReport();
  const records = csvRecords(stepsCsv(report));
  assert.equal(records.length, report.steps.length);
  assert.deepEqual(Object.keys(records[0] ?? {}), ["network", "instance", "layer", "kind", "worker", "startMs", "endMs", "bytes", "readBytes", "resident"]);
  report.steps.forEach((s, i) => {
    const r = records[i];
    assert.ok(r);
    assert.deepEqual(
      [r.network, Number(r.instance), r.layer, r.kind, Number(r.worker), Number(r.startMs), Number(r.endMs), Number(r.bytes), r.readBytes === "" ? undefined : Number(r.readBytes), r.resident === "true"],
      [s.network, s.instance, s.layer, s.kind, s.worker, s.startMs, s.endMs, s.bytes, s.readBytes, s.resident === true],
    );
  });
});

test("names with commas, quotes and line breaks survive the round trip", () => {
  const base = tinyReport();
  const name = 'face "net", v2\nfinal';
  const report = tinyReport({
    pipeline: "p,1",
    steps: base.steps.map((s) => ({ ...s, network: name, layer: s.layer && `${s.layer},"x"` })),
    networks: base.networks.map((n) => ({ ...n, name })),
  });
  const steps = csvRecords(stepsCsv(report));
  assert.ok(steps.every((r) => r.network === name));
  assert.equal(steps[2]?.layer, 'conv1,"x"');
  const sweep = csvRecords(networksCsv([report, tinyReport({ policy: "bulk" })]));
  assert.equal(sweep[0]?.pipeline, "p,1");
  assert.equal(sweep[0]?.network, name);
  assert.equal(sweep[2]?.policy, "bulk");
  assert.equal(sweep[2]?.run, "1");
});

test("networks.csv: EdgeCaffe's networkStats in ms, with execution = end - start", () => {
  const records = csvRecords(networksCsv(tinyReport()));
  assert.deepEqual(records[1], {
    network: "gendernet", instance: "0", arrivalMs: "0", startMs: "5", endMs: "100", waitMs: "5",
    executionMs: "95", responseMs: "100", outputDigest: "", top1: "",
  });
});

test("a sweep adds run, pipeline, policy, baseline, admission, budget, workers, simulated and seed columns", () => {
  const runs = [tinyReport(), tinyReport({ policy: "bulk", memoryBudgetBytes: null })];
  const records = csvRecords(stepsCsv(runs));
  assert.equal(records.length, runs[0]!.steps.length * 2);
  assert.deepEqual(Object.keys(records[0] ?? {}).slice(0, 9), ["run", "pipeline", "policy", "baseline", "admission", "memoryBudgetBytes", "workers", "simulated", "seed"]);
  const last = records[records.length - 1];
  assert.equal(last?.policy, "bulk");
  assert.equal(last?.memoryBudgetBytes, "");
  assert.equal(records[0]?.memoryBudgetBytes, String(64 * 1024 * 1024));
});

test("layers.csv: load and exec time per instance and layer, in the order layers ran", () => {
  const records = csvRecords(layersCsv(tinyReport()));
  assert.deepEqual(
    records.map((r) => [r.network, r.layerIndex, r.layer, r.loadMs, r.execMs]),
    [
      ["agenet", "0", "conv1", "15", "20"],
      ["agenet", "1", "fc6", "25", "25"],
      ["gendernet", "0", "conv1", "15", "20"],
      ["gendernet", "1", "fc6", "25", "15"],
    ],
  );
  const report = syntheticReport();
  assert.equal(csvRecords(layersCsv(report)).length, report.steps.filter((s) => s.kind === "exec").length);
});
