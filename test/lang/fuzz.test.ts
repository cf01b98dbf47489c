// Fuzzing: seeded random mutations of the examples never make parse/check/compile/format throw,
// and every diagnostic points at a real place in its file (1-based line, column within the line).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { compile, format, memoryHost, parse, type Diagnostic } from "../../lang/index.ts";

const examples = join(dirname(fileURLToPath(import.meta.url)), "../../examples");
const seeds = ["faces.mema", "bad.mema"].map((name) => readFileSync(join(examples, name), "utf8"));
// The corners of the grammar: unknown statements with a block, `{ }` pipelines, trailing commas, string
// keys, empty lists and records, stray ';'.
seeds.push('pipline x { model a; } ;;\npipeline { model agenet; session { "k": 1, b: [1, 2,], }; }\npolcy mema [1, 2] "s" true;\nmodel m from "x.onnx" {};\nlet l = [];\nlet r = {}\n');
seeds.push('import "faces.mema";\nlet b = [1GB, 2GiB];\nmodel m from agenet { shapes: { x: [1, 3] }, seed: 2 };\npipeline x < model m; memory b; arrivals normal 1s sd 5ms count 3 seed 1 pick 2; session { a: "b", c: true } >\n');
const host = memoryHost({ "/ex/faces.mema": seeds[0]!, "/ex/common.mema": "let budget = 1GB;" }, "/ex");

/** mulberry32: small, fast and the same on every runtime. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const snippets = ["{", "}", "<", ">", "[", "]", ";", ",", ":", "=", '"', "#", "\n", "\t", " ", "\\", "@", "-", ".", "0", "512", "MB", "ms", "memory", "policy", "model", "pipeline", "import", "let", "from", "arrivals", "session", "workers", "mema", "agenet", "poisson", "pick", "unlimited", "true", '"x.onnx"', "1e999", "-0", "🙂", "\r\n"];

function mutate(text: string, next: () => number): string {
  let out = text;
  const steps = 1 + Math.floor(next() * 4);
  for (let i = 0; i < steps; i++) {
    const at = Math.floor(next() * (out.length + 1));
    const choice = next();
    if (choice < 0.3) out = out.slice(0, at) + out.slice(at + 1 + Math.floor(next() * 8));
    else if (choice < 0.7) out = out.slice(0, at) + snippets[Math.floor(next() * snippets.length)]! + out.slice(at);
    else if (choice < 0.85) {
      const from = Math.floor(next() * out.length);
      out = out.slice(0, at) + out.slice(from, from + Math.floor(next() * 30)) + out.slice(at);
    } else out = out.slice(0, at) + String.fromCharCode(Math.floor(next() * 128)) + out.slice(at);
  }
  return out;
}

function assertPositions(diagnostics: Diagnostic[], files: Map<string, string>, text: string, label: string): void {
  for (const d of diagnostics) {
    assert.notEqual(d.code, "E_INTERNAL", `${label}: ${d.message}`);
    const source = files.get(d.file) ?? text;
    const lines = source.split(/\r\n|\r|\n/);
    assert.ok(Number.isInteger(d.line) && d.line >= 1 && d.line <= lines.length, `${label}: line ${d.line} of ${lines.length}`);
    assert.ok(Number.isInteger(d.column) && d.column >= 1 && d.column <= lines[d.line - 1]!.length + 1, `${label}: ${d.line}:${d.column} (${d.code} ${d.message})`);
    assert.ok(d.length >= 1, `${label}: length`);
    assert.match(d.code, /^E_[A-Z_]+$/);
  }
}

test("2000 seeded mutations of the examples: no throw, valid positions, formatting idempotent", { timeout: 120_000 }, () => {
  const next = random(20261126);
  for (let i = 0; i < 2000; i++) {
    const seed = seeds[i % seeds.length]!;
    const text = mutate(seed, next);
    const label = `mutation ${i}: ${JSON.stringify(text)}`;
    const parsed = parse(text, "m.mema");
    assertPositions(parsed.diagnostics, new Map([["m.mema", text]]), text, label);
    const compiled = compile(text, { file: "m.mema", host });
    assertPositions(compiled.diagnostics, compiled.files, text, label);
    if (compiled.diagnostics.length > 0) assert.equal(compiled.plan, undefined, label);
    const formatted = format(text, "m.mema");
    if (formatted.text !== undefined) {
      assert.equal(format(formatted.text).text, formatted.text, `${label}: idempotent`);
      assert.deepEqual(parse(formatted.text).ast, parsed.ast, `${label}: same meaning`);
    }
  }
});

test("300 seeded mutations of a YAML document: no throw, valid positions", { timeout: 120_000 }, () => {
  const next = random(7);
  const yaml = "let:\n  budget: 512MB\npipeline:\n  name: y\n  models: [agenet, { name: b, from: facenet, seed: 2 }]\n  memory: [budget, 1GiB]\n  policy: [mema, bulk]\n  arrivals: { kind: poisson, mean: 100ms, count: 3, seed: 1 }\n";
  for (let i = 0; i < 300; i++) {
    const text = mutate(yaml, next);
    const r = compile(text, { file: "m.yaml" });
    assertPositions(r.diagnostics, r.files, text, `yaml mutation ${i}: ${JSON.stringify(text)}`);
  }
});
