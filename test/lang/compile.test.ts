// The checker and compiler: --set overrides, imports through a host, catalogs, and lang/'s purity.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { check, compile, extendCatalog, memoryHost } from "../../lang/index.ts";

const here = dirname(fileURLToPath(import.meta.url));
const codes = (r: { diagnostics: { code: string; line: number; column: number; file: string }[] }) =>
  r.diagnostics.map((d) => `${d.file}:${d.line}:${d.column} ${d.code}`);

const base = "let budget = 512MB;\nlet policies = [mema];\npipeline p { model agenet; memory budget; policy policies; }\n";

test("--set replaces a top-level let with a parsed .mema value", () => {
  const r = compile(base, { file: "a.mema", overrides: { budget: "[1GiB, 2GB]", policies: "linear" } });
  assert.deepEqual(r.diagnostics, []);
  assert.deepEqual(r.plan!.pipelines[0]!.sweep.memoryBytes, [2 ** 30, 2e9]);
  assert.deepEqual(r.plan!.pipelines[0]!.runs.map((x) => x.policy), ["linear", "linear"]);
});

test("--set errors: unknown let (with a suggestion), bad value text, wrong kind of value", () => {
  const unknown = compile(base, { file: "a.mema", overrides: { budgte: "1GB" } });
  assert.deepEqual(codes(unknown), ["--set budgte:1:1 E_SET_UNKNOWN"]);
  assert.match(unknown.diagnostics[0]!.message, /did you mean 'budget'/);
  const syntax = compile(base, { file: "a.mema", overrides: { budget: "[1GB," } });
  assert.deepEqual(codes(syntax), ["--set budget:1:6 E_SYNTAX"]);
  const unitless = compile(base, { file: "a.mema", overrides: { budget: "512" } });
  // Reported where the let is used, with the --set text as a note.
  assert.deepEqual(codes(unitless), ["a.mema:3:35 E_UNIT"]);
  assert.deepEqual(unitless.diagnostics[0]!.notes?.map((n) => `${n.file}:${n.line}:${n.column}`), ["--set budget:1:1"]);
  assert.equal(unitless.files.get("--set budget"), "512");
});

test("imports: lets, models and pipelines become visible; the importer's own lets shadow them", () => {
  const host = memoryHost({
    "/p/main.mema": 'import "lib/common.mema";\nlet budget = 1GB;\npipeline { model shared; memory budget; workers n; }',
    "/p/lib/common.mema": "let budget = 2GB;\nlet n = 3;\nmodel shared from facenet;\npipeline lib { model sos; }",
  });
  const r = compile(host.readText("/p/main.mema") as string, { file: "/p/main.mema", host });
  assert.deepEqual(r.diagnostics, []);
  assert.deepEqual(r.plan!.pipelines.map((p) => p.name), ["lib", "main"]);
  assert.deepEqual(r.plan!.pipelines[1]!.runs, [{ memoryBytes: 1e9, policy: "mema", workers: 3 }]);
  assert.equal(r.plan!.source, "/p/main.mema");
});

test("an import cycle names its chain; a diamond is loaded once", () => {
  const host = memoryHost({
    "/a.mema": 'import "b.mema";\nimport "c.mema";\npipeline { model agenet; }',
    "/b.mema": 'import "d.mema";',
    "/c.mema": 'import "d.mema";',
    "/d.mema": 'import "a.mema";\nlet x = 1;',
  }, "/");
  const r = check(host.readText("/a.mema") as string, { file: "a.mema", host });
  assert.deepEqual(codes(r), ["d.mema:1:8 E_IMPORT_CYCLE"]);
  assert.equal(r.diagnostics[0]!.message, "import cycle: a.mema -> b.mema -> d.mema -> a.mema");
});

test("without a host, imports are reported and model files are not checked", () => {
  const r = compile('import "x.mema";\npipeline { model m from "m.onnx"; }', { file: "a.mema" });
  assert.deepEqual(codes(r), ["a.mema:1:8 E_IMPORT_NOT_FOUND"]);
  const ok = compile('pipeline { model m from "m.onnx"; }');
  assert.deepEqual(ok.plan!.pipelines[0]!.models[0]!.source, { kind: "file", path: "m.onnx" });
});

test("a catalog extends the zoo and policy names", () => {
  const text = "pipeline { model mynet; policy fifo; }";
  assert.deepEqual(compile(text).diagnostics.map((d) => d.code), ["E_UNKNOWN_MODEL", "E_UNKNOWN_POLICY"]);
  const r = compile(text, { catalog: extendCatalog({ networks: ["mynet"], policies: ["fifo"] }) });
  assert.deepEqual(r.diagnostics, []);
  assert.equal(r.plan!.pipelines[0]!.runs[0]!.policy, "fifo");
});

test("runs are the product of the sweep: memory outermost, then policy, then workers", () => {
  const r = compile("pipeline { model agenet; memory [1GB, 2GB]; policy [linear, mema]; workers [1, 2]; }");
  const runs = r.plan!.pipelines[0]!.runs.map((x) => `${x.memoryBytes! / 1e9}/${x.policy}/${x.workers}`);
  assert.deepEqual(runs, ["1/linear/1", "1/linear/2", "1/mema/1", "1/mema/2", "2/linear/1", "2/linear/2", "2/mema/1", "2/mema/2"]);
});

test("a file without a pipeline checks clean but does not compile", () => {
  assert.deepEqual(check("let a = 1;").diagnostics, []);
  assert.deepEqual(compile("let a = 1;").diagnostics.map((d) => d.code), ["E_NO_PIPELINE"]);
});

test("compile never throws and gives no plan when there is any error", () => {
  for (const text of ["pipeline {", "pipeline { model agenet; memory 5; }", "}}}}", "let a = a;"]) {
    const r = compile(text);
    assert.ok(r.diagnostics.length > 0 || r.plan);
    if (r.diagnostics.length > 0) assert.equal(r.plan, undefined);
  }
});

test("lang/ imports no node: module (it runs unchanged on any runtime)", () => {
  const dir = join(here, "../../lang");
  for (const name of readdirSync(dir).filter((n) => n.endsWith(".ts"))) {
    const text = readFileSync(join(dir, name), "utf8");
    assert.doesNotMatch(text, /from\s+["']node:|import\(\s*["']node:|require\(/, name);
  }
});
