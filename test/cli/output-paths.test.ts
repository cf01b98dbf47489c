// Output flags refused before any work: a folder for a file, a file for a folder, a path under a file.
import { test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkDirNotInput, checkNotInput, checkOutputDir, checkOutputFile, writingOutput } from "../../cli/output-paths.ts";
import { writeFileAtomically } from "../../runtime/host/write-file.ts";
import { mema } from "./run-cli.ts";

const dir = mkdtempSync(join(tmpdir(), "mema-out-"));
const file = join(dir, "taken.json");
writeFileSync(file, "{}");
test.after(() => rmSync(dir, { recursive: true, force: true }));

test("a file output may be new (its folder created, one level) or existing, not a folder or under a file", () => {
  checkOutputFile("json", undefined);
  checkOutputFile("json", file);
  checkOutputFile("json", join(dir, "new", "r.json"));
  // Only the last folder a user named is created: a typo higher up is refused, not made into a tree.
  assert.throws(
    () => checkOutputFile("json", join(dir, "new", "deeper", "r.json")),
    (e: Error & { code?: string }) => e.code === "E_OUTPUT" && e.message === `--json '${join(dir, "new", "deeper", "r.json")}': folder '${join(dir, "new")}' does not exist (mema creates only the last folder of an output path)`,
  );
  assert.throws(() => checkOutputFile("json", dir), (e: Error & { code?: string }) => e.code === "E_OUTPUT" && e.message === `--json '${dir}' is a folder; expected a file path`);
  assert.throws(() => checkOutputFile("out", join(file, "x.json")), /--out '.*x\.json': cannot create it, '.*taken\.json' is a file, not a folder/);
});

test("a folder output may be new or existing, not a file", () => {
  checkOutputDir("csv", dir);
  checkOutputDir("csv", join(dir, "csv"));
  assert.throws(() => checkOutputDir("csv", join(dir, "a", "b")), /--csv '.*b': folder '.*a' does not exist \(mema creates only the last folder/);
  assert.throws(() => checkOutputDir("csv", file), /--csv '.*taken\.json' is a file; expected a folder/);
});

test("a write that fails anyway becomes one line naming the path", async () => {
  await assert.rejects(
    writingOutput(() => Promise.reject(Object.assign(new Error("EISDIR: illegal operation"), { code: "EISDIR", path: dir }))),
    (e: Error & { code?: string }) => e.code === "E_OUTPUT" && e.message === `cannot write '${dir}' (EISDIR)`,
  );
  await assert.rejects(writingOutput(() => Promise.reject(new TypeError("a bug"))), TypeError);
});

test("an output that is one of the run's inputs is refused, however it is spelt", () => {
  const input = join(dir, "scenario.mema");
  writeFileSync(input, "pipeline p < model agenet; >\n");
  symlinkSync(input, join(dir, "link.mema"));
  linkSync(input, join(dir, "hard.mema"));
  for (const out of [input, join(dir, ".", "scenario.mema"), join(dir, "link.mema"), join(dir, "hard.mema")]) {
    assert.throws(() => checkNotInput("json", out, [input]), (e: Error & { code?: string }) => e.code === "E_OUTPUT" && e.message === `--json '${out}' is an input of this run ('${input}'); refusing to overwrite it`);
  }
  checkNotInput("json", join(dir, "other.json"), [input]);
  checkNotInput("json", undefined, [input]);
  mkdirSync(join(dir, "csvs"));
  writeFileSync(join(dir, "csvs", "layers.csv"), "x");
  checkDirNotInput("csv", join(dir, "csvs"), [input]);
  assert.throws(() => checkDirNotInput("csv", join(dir, "csvs"), [join(dir, "csvs", "layers.csv")]), /--csv '.*csvs' \(its layers\.csv\) is an input of this run/);
});

test("mema run --json pointed at its scenario (or a file it imports) leaves it untouched", async () => {
  const scenario = join(dir, "run.mema");
  const text = "pipeline p <\n  model agenet;\n  memory 512MB;\n  policy linear;\n  workers 1;\n>\n";
  writeFileSync(scenario, text);
  const top = join(dir, "top.mema");
  writeFileSync(top, `import "run.mema";\n`);
  for (const [file, out] of [[scenario, scenario], [top, scenario]] as const) {
    const r = await mema("run", file, "--simulate", "--json", out);
    assert.equal(r.code, 1, r.err);
    assert.match(r.err, /^mema run: error\[E_OUTPUT\]: --json '.*run\.mema' is an input of this run \('.*run\.mema'\); refusing to overwrite it\n$/);
    assert.equal(readFileSync(scenario, "utf8"), text);
  }
});

test("a write replaces the file by a rename: whole or not at all, its mode kept, no temp file left", () => {
  const target = join(dir, "atomic.json");
  writeFileSync(target, "old");
  chmodSync(target, 0o640);
  const before = join(dir, "atomic-before.json");
  linkSync(target, before); // the old inode: a write in place would change it too
  writeFileAtomically(target, "new");
  assert.equal(readFileSync(target, "utf8"), "new");
  assert.equal(readFileSync(before, "utf8"), "old");
  assert.equal(statSync(target).mode & 0o777, 0o640);
  // Through a symlink: the file it points to is replaced, the link stays.
  symlinkSync(target, join(dir, "atomic-link.json"));
  writeFileAtomically(join(dir, "atomic-link.json"), "newer");
  assert.equal(readFileSync(target, "utf8"), "newer");
  // A missing folder: that one level is made; two are not.
  writeFileAtomically(join(dir, "made", "x.json"), "{}");
  assert.ok(existsSync(join(dir, "made", "x.json")));
  assert.throws(() => writeFileAtomically(join(dir, "no", "such", "x.json"), "{}"), (e: Error & { code?: string; path?: string }) => e.code === "ENOENT" && e.path === join(dir, "no", "such", "x.json"));
  assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith(".tmp")), []);
});

test("a device is written in place and its failure names it", { skip: !existsSync("/dev/full") && "no /dev/full here" }, async () => {
  await assert.rejects(
    writingOutput(() => writeFileAtomically("/dev/full", "x")),
    (e: Error & { code?: string }) => e.code === "E_OUTPUT" && e.message === "cannot write '/dev/full' (ENOSPC)",
  );
  writeFileAtomically("/dev/null", "x");
});
