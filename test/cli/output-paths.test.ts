// Output flags refused before any work: a folder for a file, a file for a folder, a path under a file.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkOutputDir, checkOutputFile, writingOutput } from "../../cli/output-paths.ts";

const dir = mkdtempSync(join(tmpdir(), "mema-out-"));
const file = join(dir, "taken.json");
writeFileSync(file, "{}");
test.after(() => rmSync(dir, { recursive: true, force: true }));

test("a file output may be new (folders created later) or existing, not a folder or under a file", () => {
  checkOutputFile("json", undefined);
  checkOutputFile("json", file);
  checkOutputFile("json", join(dir, "new", "deeper", "r.json"));
  assert.throws(() => checkOutputFile("json", dir), (e: Error & { code?: string }) => e.code === "E_OUTPUT" && e.message === `--json '${dir}' is a folder; expected a file path`);
  assert.throws(() => checkOutputFile("out", join(file, "x.json")), /--out '.*x\.json': cannot create it, '.*taken\.json' is a file, not a folder/);
});

test("a folder output may be new or existing, not a file", () => {
  checkOutputDir("csv", dir);
  checkOutputDir("csv", join(dir, "csv"));
  assert.throws(() => checkOutputDir("csv", file), /--csv '.*taken\.json' is a file; expected a folder/);
});

test("a write that fails anyway becomes one line naming the path", async () => {
  await assert.rejects(
    writingOutput(() => Promise.reject(Object.assign(new Error("EISDIR: illegal operation"), { code: "EISDIR", path: dir }))),
    (e: Error & { code?: string }) => e.code === "E_OUTPUT" && e.message === `cannot write '${dir}' (EISDIR)`,
  );
  await assert.rejects(writingOutput(() => Promise.reject(new TypeError("a bug"))), TypeError);
});
