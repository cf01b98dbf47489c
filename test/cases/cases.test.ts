// Runs every fixture case under test/cases: NAME.mema (or .yaml/.json) next to NAME.plan.json (the
// expected plan) or NAME.err (expected diagnostics, one `LINE:COL CODE` per line). Other files are
// helpers (imported files, input images). Files are served from memory at /cases, so plan paths are
// the same on every machine; MEMA_UPDATE_CASES=1 rewrites the .plan.json files from the compiler.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { compile, memoryHost } from "../../lang/index.ts";

const root = dirname(fileURLToPath(import.meta.url));

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

const paths = walk(root).filter((p) => !p.endsWith(".ts"));
const files: Record<string, string> = {};
for (const path of paths) files[`/cases/${relative(root, path).split("\\").join("/")}`] = readFileSync(path, "utf8");
// Model files the cases name: their existence is all the checker looks at.
files["/cases/models/mine.onnx"] = "";
files["/cases/models/det.onnx"] = "";
const host = memoryHost(files, "/cases");

const inputs = paths.filter((p) => /\.(mema|ya?ml|json)$/.test(p) && !p.endsWith(".plan.json"));
let count = 0;
for (const input of inputs) {
  const stem = input.replace(/\.(mema|ya?ml|json)$/, "");
  const planFile = `${stem}.plan.json`;
  const errFile = `${stem}.err`;
  const hasPlan = existsSync(planFile);
  const hasErr = existsSync(errFile);
  if (!hasPlan && !hasErr && !process.env.MEMA_UPDATE_CASES) continue;
  const name = relative(root, input).split("\\").join("/");
  if (!hasPlan && !hasErr) continue;
  count += 1;
  test(`case ${name}`, () => {
    const text = files[`/cases/${name}`]!;
    const result = compile(text, { file: name, host });
    for (const d of result.diagnostics) {
      const lines = (result.files.get(d.file) ?? "").split(/\r\n|\r|\n/);
      assert.ok(d.line >= 1 && d.line <= lines.length, `${d.file}:${d.line} is inside the file`);
      assert.ok(d.column >= 1 && d.column <= lines[d.line - 1]!.length + 1, `${d.file}:${d.line}:${d.column} is inside the line`);
    }
    if (hasErr) {
      const expected = readFileSync(errFile, "utf8")
        .split("\n")
        .map((l) => l.replace(/#.*/, "").trim())
        .filter((l) => l !== "");
      const actual = result.diagnostics.map((d) => `${d.file === name ? "" : `${d.file}:`}${d.line}:${d.column} ${d.code}`);
      assert.deepEqual(actual, expected, result.diagnostics.map((d) => `${d.line}:${d.column} ${d.code} ${d.message}`).join("\n"));
      assert.equal(result.plan, undefined);
    } else {
      assert.deepEqual(result.diagnostics.map((d) => `${d.line}:${d.column} ${d.code}: ${d.message}`), []);
      if (process.env.MEMA_UPDATE_CASES) writeFileSync(planFile, JSON.stringify(result.plan, null, 2) + "\n");
      assert.deepEqual(result.plan, JSON.parse(readFileSync(planFile, "utf8")));
    }
  });
}

test("the case folder holds cases", () => {
  assert.ok(count >= 30, `found ${count} cases`);
});
