// Every example in examples/ checks clean and is in the canonical layout; bad.mema shows errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { check, format } from "../../lang/index.ts";
import { fileHost } from "../../runtime/host/files.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const walk = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? walk(join(dir, name)) : [join(dir, name)]));
const examples = walk(join(root, "examples")).filter((f) => /\.(mema|ya?ml|json)$/.test(f));

test("the examples folder has the MemA scenario and the error showcase", () => {
  const names = examples.map((f) => relative(root, f).split("\\").join("/"));
  assert.ok(names.includes("examples/faces.mema") && names.includes("examples/bad.mema"), names.join(", "));
});

for (const path of examples) {
  const name = relative(root, path).split("\\").join("/");
  test(`example ${name}`, () => {
    const text = readFileSync(path, "utf8");
    const result = check(text, { file: name, host: fileHost(root) });
    if (name.endsWith("bad.mema")) {
      assert.ok(result.diagnostics.length >= 10, `bad.mema shows many errors (${result.diagnostics.length})`);
      return;
    }
    assert.deepEqual(result.diagnostics.map((d) => `${d.file}:${d.line}:${d.column} ${d.code} ${d.message}`), []);
    if (name.endsWith(".mema")) assert.equal(format(text, name).text, text, `${name} is formatted (mema fmt --write ${name})`);
  });
}
