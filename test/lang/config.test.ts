// The YAML/JSON front end and the JSON Schema: paths and positions in errors, plans valid by schema.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import AjvModule from "ajv";
import { compile, memaSchema } from "../../lang/index.ts";

type AjvClass = typeof import("ajv").default;
const Ajv = ((AjvModule as unknown as { default?: AjvClass }).default ?? AjvModule) as AjvClass;

test("a YAML document compiles to the same plan as its .mema twin", () => {
  const mema = compile("pipeline faces { model agenet; model facenet; memory [512MB, 1GiB]; policy mema; workers 2; arrivals batch 3; }", { file: "f.mema" });
  const yaml = compile(
    "pipeline:\n  name: faces\n  models: [agenet, facenet]\n  memory: [512MB, 1GiB]\n  policy: mema\n  workers: 2\n  arrivals: { kind: batch, rounds: 3 }\n",
    { file: "f.yaml" },
  );
  assert.deepEqual(yaml.diagnostics, []);
  assert.deepEqual({ ...yaml.plan, source: undefined }, { ...mema.plan, source: undefined });
});

test("schema errors name the JSON path and the YAML line:col", () => {
  const r = compile("pipelines:\n  - models: [agenet]\n    workers: [1, true]\n    polcy: mema\n", { file: "c.yaml" });
  const lines = r.diagnostics.map((d) => `${d.line}:${d.column} ${d.code} ${d.message}`);
  assert.deepEqual(lines, [
    "3:18 E_SCHEMA $.pipelines[0].workers[1]: must be string,integer",
    "4:5 E_SCHEMA $.pipelines[0]: unknown property 'polcy'; did you mean 'policy'?",
  ]);
});

test("checker errors in YAML point into the YAML text", () => {
  const r = compile("pipeline:\n  models: [agenet]\n  memory: 5ms\n", { file: "c.yml" });
  assert.deepEqual(r.diagnostics.map((d) => `${d.file}:${d.line}:${d.column} ${d.code}`), ["c.yml:3:11 E_UNIT"]);
});

test("JSON is read by the same front end, with positions", () => {
  const r = compile('{\n  "pipeline": { "models": ["agenet"], "policy": "memaa" }\n}', { file: "c.json" });
  assert.deepEqual(r.diagnostics.map((d) => `${d.line}:${d.column} ${d.code}`), ["2:49 E_UNKNOWN_POLICY"]);
});

test("every compiled plan is valid against `mema schema`, and the schema rejects a broken plan", () => {
  const ajv = new Ajv({ strict: false, discriminator: true });
  const validate = ajv.compile(memaSchema());
  const r = compile("pipeline { model agenet; memory [1GB, unlimited]; arrivals poisson 1s count 3 seed 2 pick 1; session { intraOpNumThreads: 1 } }");
  assert.ok(validate(JSON.parse(JSON.stringify(r.plan))), JSON.stringify(validate.errors));
  assert.equal(validate({ version: 1, pipelines: [{ name: "x" }] }), false);
  assert.ok(validate({ pipeline: { models: ["agenet"], memory: "1GB" } }), "a YAML document is valid too");
});

test("examples/faces.yaml and examples/faces.mema compile to the same plan", () => {
  const dir = join(dirname(fileURLToPath(import.meta.url)), "../../examples");
  const mema = compile(readFileSync(join(dir, "faces.mema"), "utf8"), { file: "faces.mema" });
  const yaml = compile(readFileSync(join(dir, "faces.yaml"), "utf8"), { file: "faces.yaml" });
  assert.deepEqual(yaml.diagnostics, []);
  assert.deepEqual({ ...yaml.plan, source: undefined }, { ...mema.plan, source: undefined });
});

test("--set overrides a YAML let as it does a .mema let", () => {
  const text = "let:\n  budget: 512MB\npipeline:\n  models: [agenet]\n  memory: budget\n";
  const r = compile(text, { file: "p.yaml", overrides: { budget: "[1GiB, unlimited]" } });
  assert.deepEqual(r.diagnostics, []);
  assert.deepEqual(r.plan!.pipelines[0]!.sweep.memoryBytes, [2 ** 30, null]);
});

test("another tool's JSON config with a top-level version and a pipeline key is a document, not a plan", () => {
  const foreign = JSON.stringify({ version: "1.2.3", name: "other-tool", pipeline: { models: [{ name: "agenet" }], memory: "64MB", policy: "mema" } });
  const result = compile(foreign, { file: "tool.json" });
  assert.deepEqual(result.diagnostics, []);
  assert.equal(result.plan?.pipelines[0]?.models[0]?.name, "agenet");
  // A compiled plan is still recognised, by its pipelines list.
  const plan = compile(JSON.stringify(result.plan), { file: "plan.json" });
  assert.deepEqual(plan.diagnostics, []);
  assert.deepEqual(plan.plan, result.plan);
});
