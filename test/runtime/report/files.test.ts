// Writing reports to disk: the CSV trio, JSON, and timelines (suffixed SVGs or one HTML page for sweeps).
import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { timelineFormatOf, timelinePaths, writeCsv, writeJson, writeReportFiles, writeTimeline } from "../../../runtime/report/files.ts";
import { csvRecords } from "./csv-parse.ts";
import { tinyReport } from "./tiny-report.ts";
import { checkXml } from "./xml-check.ts";

const MIB = 1024 * 1024;

test("writeCsv, writeJson and writeTimeline create their directories and files", async () => {
  const dir = await mkdtemp(join(tmpdir(), "mema-report-"));
  try {
    const report = tinyReport();
    const csv = await writeCsv(join(dir, "out", "csv"), report);
    assert.deepEqual(csv.map((p) => p.slice(dir.length + 1)), ["steps.csv", "networks.csv", "layers.csv"].map((f) => join("out", "csv", f)));
    assert.equal(csvRecords(await readFile(csv[0] ?? "", "utf8")).length, report.steps.length);
    await writeJson(join(dir, "run.json"), report);
    assert.equal(JSON.parse(await readFile(join(dir, "run.json"), "utf8")).policy, "mema");
    const sweep = [tinyReport(), tinyReport({ policy: "bulk", memoryBudgetBytes: 128 * MIB }), tinyReport({ memoryBudgetBytes: null })];
    const svgs = await writeTimeline(join(dir, "t", "timeline.svg"), sweep);
    assert.deepEqual((await readdir(join(dir, "t"))).sort(), ["timeline-bulk-128MiB.svg", "timeline-mema-64MiB.svg", "timeline-mema-unlimited.svg"]);
    for (const path of svgs) checkXml(await readFile(path, "utf8"));
    const [html] = await writeTimeline(join(dir, "all.html"), sweep);
    assert.equal((await readFile(html ?? "", "utf8")).match(/<svg /g)?.length, 3);
    await assert.rejects(writeTimeline(join(dir, "t.png"), report), /t\.png: a timeline file must end in \.svg or \.html/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("timeline file names: the path for one run, unique suffixes naming what varies for a sweep", () => {
  assert.deepEqual(timelinePaths("out/t.svg", [tinyReport()]), ["out/t.svg"]);
  const names = timelinePaths("t.svg", [
    tinyReport({ workers: 1 }),
    tinyReport({ workers: 2 }),
    tinyReport({ workers: 2 }),
    tinyReport({ workers: 2, pipeline: "x/y z" }),
  ]);
  assert.deepEqual(names, ["t-tiny-mema-64MiB-w1.svg", "t-tiny-mema-64MiB-w2.svg", "t-tiny-mema-64MiB-w2-2.svg", "t-x_y_z-mema-64MiB-w2.svg"]);
  assert.equal(timelineFormatOf("a/b.SVG"), "svg");
  assert.equal(timelineFormatOf("a.html"), "html");
  assert.equal(timelineFormatOf("a.png"), undefined);
});

test("writeReportFiles: one run gives a JSON object, a sweep an array, and every requested file", async () => {
  const dir = await mkdtemp(join(tmpdir(), "mema-report-"));
  try {
    const one = await writeReportFiles([tinyReport()], { jsonPath: join(dir, "one.json"), timelinePath: join(dir, "one.svg") });
    assert.deepEqual(one, [join(dir, "one.json"), join(dir, "one.svg")]);
    assert.equal(Array.isArray(JSON.parse(await readFile(join(dir, "one.json"), "utf8"))), false);
    const sweep = [tinyReport(), tinyReport({ policy: "bulk" })];
    const paths = await writeReportFiles(sweep, { jsonPath: join(dir, "all.json"), csvDir: join(dir, "csv"), timelinePath: join(dir, "all.html") });
    assert.equal(paths.length, 5);
    assert.equal(JSON.parse(await readFile(join(dir, "all.json"), "utf8")).length, 2);
    assert.deepEqual(await writeReportFiles(sweep, {}), []);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("timeline names write a budget as the user did: 512MB, 1GiB; bytes only when no unit divides it", () => {
  const names = timelinePaths("t.svg", [
    tinyReport({ memoryBudgetBytes: 512e6 }),
    tinyReport({ memoryBudgetBytes: 1024 * MIB }),
    tinyReport({ memoryBudgetBytes: 1e9 }),
    tinyReport({ memoryBudgetBytes: 1234567 }),
  ]);
  assert.deepEqual(names, ["t-mema-512MB.svg", "t-mema-1GiB.svg", "t-mema-1GB.svg", "t-mema-1234567B.svg"]);
});
