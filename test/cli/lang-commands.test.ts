// The language commands through main() with captured output, and once as a real subprocess.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import AjvModule from "ajv";
import { main } from "../../cli/main.ts";

type AjvClass = typeof import("ajv").default;
const Ajv = ((AjvModule as unknown as { default?: AjvClass }).default ?? AjvModule) as AjvClass;
const root = join(dirname(fileURLToPath(import.meta.url)), "../..");

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const cwd = process.cwd();
  process.chdir(root);
  try {
    const code = await main(argv, { out: (t) => void (out += t), err: (t) => void (err += t) });
    return { code, out, err };
  } finally {
    process.chdir(cwd);
  }
}

test("mema check: a clean file exits 0", async () => {
  const r = await run("check", "examples/faces.mema");
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out, "examples/faces.mema: ok\n");
  assert.equal(r.err, "");
});

test("mema check: every error of bad.mema, each with its code, position and caret line", async () => {
  const r = await run("check", "examples/bad.mema", "examples/faces.mema");
  assert.equal(r.code, 1);
  assert.ok(
    r.err.startsWith(
      "examples/bad.mema:4:10: error[E_UNIT]: memory needs a unit (B, KB, MB, GB, KiB, MiB, GiB)\n  4 |   memory 512;\n    |          ^^^\n",
    ),
    r.err,
  );
  const codes = [...r.err.matchAll(/^examples\/bad\.mema:\d+:\d+: error\[(E_[A-Z_]+)\]/gm)].map((m) => m[1]);
  for (const code of ["E_UNIT", "E_UNKNOWN_POLICY", "E_DUPLICATE_MODEL", "E_UNKNOWN_MODEL", "E_MODEL_FILE", "E_TYPE", "E_UNKNOWN_STATEMENT", "E_NO_MODEL", "E_UNTERMINATED_STRING", "E_IMPORT_NOT_FOUND"])
    assert.ok(codes.includes(code), `${code} in ${codes.join(",")}`);
  assert.ok(codes.length >= 10);
  assert.match(r.out, /examples\/faces\.mema: ok/);
  assert.doesNotMatch(r.err, /\bat .*\.ts:\d+/, "no stack trace");
});

test("mema check: a missing file and an unknown flag are one-line errors", async () => {
  const missing = await run("check", "nope.mema");
  assert.equal(missing.code, 1);
  assert.equal(missing.err, "mema check: error[E_FILE]: cannot read 'nope.mema': no such file\n");
  const flag = await run("check", "--bogus", "examples/faces.mema");
  assert.equal(flag.code, 1);
  assert.match(flag.err, /Unknown option '--bogus'/);
});

test("mema plan: summary, --set overrides, and --json valid against mema schema", async () => {
  const text = await run("plan", "examples/faces.mema");
  assert.equal(text.code, 0, text.err);
  assert.match(text.out, /pipeline faces\n {2}model agenet: zoo agenet/);
  assert.match(text.out, /memory 512MB, policy mema, workers 2/);

  const json = await run("plan", "examples/faces.mema", "--json", "--set", "budget=[256MiB, 1GB]", "--set", "budget=[1GiB, 2GiB]");
  assert.equal(json.code, 0, json.err);
  const plan = JSON.parse(json.out);
  assert.deepEqual(plan.pipelines[0].sweep.memoryBytes, [2 ** 30, 2 ** 31], "the last --set wins");
  assert.equal(plan.pipelines[0].models.length, 5);

  const schema = await run("schema");
  assert.equal(schema.code, 0);
  const validate = new Ajv({ strict: false, discriminator: true }).compile(JSON.parse(schema.out));
  assert.ok(validate(plan), JSON.stringify(validate.errors));
});

test("mema plan: --set errors are reported like file errors", async () => {
  const r = await run("plan", "examples/faces.mema", "--set", "budget=512");
  assert.equal(r.code, 1);
  // At the use of the let, like any let's value of the wrong kind, with the --set text as the note.
  assert.equal(
    r.err,
    "examples/faces.mema:10:10: error[E_UNIT]: memory needs a unit (B, KB, MB, GB, KiB, MiB, GiB)\n  10 |   memory budget;\n     |          ^^^^^^\n" +
      "--set budget:1:1: note: the value comes from 'let budget' here\n  1 | 512\n    | ^^^\n",
  );
  const bad = await run("plan", "examples/faces.mema", "--set", "nonsense");
  assert.equal(bad.code, 1);
  assert.match(bad.err, /error\[E_USAGE\]: --set expects NAME=VALUE/);
});

test("mema plan and check read YAML too", async () => {
  const dir = mkdtempSync(join(tmpdir(), "mema-cli-"));
  try {
    const file = join(dir, "p.yaml");
    writeFileSync(file, "pipeline:\n  models: [agenet]\n  memory: [256MiB]\n  policy: memaa\n");
    const r = await run("check", file);
    assert.equal(r.code, 1);
    assert.match(r.err, /p\.yaml:4:11: error\[E_UNKNOWN_POLICY\]: unknown policy 'memaa'; did you mean 'mema'\?/);
    writeFileSync(file, "pipeline:\n  models: [agenet]\n  memory: [256MiB]\n");
    const plan = await run("plan", file, "--json");
    assert.equal(plan.code, 0, plan.err);
    assert.deepEqual(JSON.parse(plan.out).pipelines[0].sweep.memoryBytes, [2 ** 28]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("mema fmt: --check finds unformatted files, --write fixes them, formatting is idempotent", async () => {
  const dir = mkdtempSync(join(tmpdir(), "mema-fmt-"));
  try {
    const file = join(dir, "x.mema");
    writeFileSync(file, "pipeline   x{model agenet # keep me\n;memory [1GB,2GB]}");
    const check = await run("fmt", "--check", file);
    assert.equal(check.code, 1);
    assert.match(check.err, /not formatted/);
    const write = await run("fmt", "--write", file);
    assert.equal(write.code, 0);
    const formatted = readFileSync(file, "utf8");
    assert.equal(formatted, "pipeline x <\n  model agenet;  # keep me\n  memory [1GB, 2GB];\n>\n");
    assert.equal((await run("fmt", "--check", file)).code, 0);
    assert.equal((await run("fmt", file)).out, formatted);
    assert.equal((await run("fmt", "--check", "--write", file)).code, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("every language command has --help", async () => {
  for (const name of ["check", "plan", "schema", "fmt"]) {
    const r = await run(name, "--help");
    assert.equal(r.code, 0);
    assert.ok(r.out.startsWith(`mema ${name}`), r.out);
  }
});

test("as a subprocess: node bin/mema.js check prints diagnostics and exits 1", () => {
  const r = spawnSync("node", ["bin/mema.js", "check", "examples/bad.mema"], { cwd: root, encoding: "utf8" });
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /^examples\/bad\.mema:4:10: error\[E_UNIT\]/);
  assert.equal(r.stdout, "");
  const ok = spawnSync("node", ["bin/mema.js", "plan", "examples/faces.mema", "--json"], { cwd: root, encoding: "utf8" });
  assert.equal(ok.status, 0, ok.stderr);
  assert.equal(JSON.parse(ok.stdout).version, 1);
});
