// The scheduler, the simulator and the policies stay runtime-agnostic: no node: module, no onnxruntime,
// nothing outside the pure modules they build on (lang plan types, model planning, zoo, profiles' pure half).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize } from "node:path";

const ROOT = join(dirname(new URL(import.meta.url).pathname), "../../..");

function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  return [...text.matchAll(/^\s*(?:import|export)[^;]*?from\s+"([^"]+)"/gm)].map((m) => m[1]!);
}

test("runtime/schedule and stdlib/policies import no node: module and no onnxruntime, directly or through local imports", () => {
  const seen = new Set<string>();
  const queue = ["runtime/schedule", "stdlib/policies"].flatMap((d) => readdirSync(join(ROOT, d)).filter((f) => f.endsWith(".ts")).map((f) => join(ROOT, d, f)));
  while (queue.length > 0) {
    const file = normalize(queue.pop()!);
    if (seen.has(file)) continue;
    seen.add(file);
    for (const spec of importsOf(file)) {
      assert.ok(!spec.startsWith("node:"), `${file.slice(ROOT.length)} imports ${spec}`);
      assert.ok(!spec.includes("onnxruntime"), `${file.slice(ROOT.length)} imports ${spec}`);
      if (spec.startsWith(".")) queue.push(join(dirname(file), spec));
    }
  }
  assert.ok(seen.size > 20, `followed ${seen.size} files`);
});
