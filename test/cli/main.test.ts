// The CLI entry: --help from the registry alone, one-line flag errors, and summaries kept in one place.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { COMMANDS, helpText } from "../../cli/main.ts";
import { runCli as mema } from "./run-cli.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");

test("--help lists every command from the registry without loading any command module", async () => {
  const refusing = Object.fromEntries(
    Object.entries(COMMANDS).map(([name, entry]) => [name, { summary: entry.summary, load: () => Promise.reject(new Error(`loaded ${name}`)) }]),
  );
  const r = await mema(["--help"], refusing);
  assert.equal(r.code, 0, r.err);
  for (const [name, entry] of Object.entries(COMMANDS)) assert.match(r.out, new RegExp(`^  ${name} +${entry.summary.replace(/[().]/g, "\\$&")}$`, "m"));
  // One column for the summaries, however long the longest name (import-caffe) is.
  const columns = new Set(r.out.split("\n").filter((l) => /^  [a-z]/.test(l)).map((l) => l.search(/(?<=\S)  +\S/) + l.slice(l.search(/(?<=\S)  +\S/)).search(/\S/)));
  assert.equal(columns.size, 1, r.out);
  assert.equal(r.out, helpText());
});

test("a command module does not repeat its summary, or repeats the registry's", async () => {
  for (const [name, entry] of Object.entries(COMMANDS)) {
    const { command } = await entry.load();
    assert.equal(command.name, name);
    if (command.summary !== undefined) assert.equal(command.summary, entry.summary, name);
  }
});

/** Every local module a file imports, statically or with import(), transitively. */
function importGraph(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  const text = readFileSync(file, "utf8");
  for (const match of text.matchAll(/(?:from|import)\s*\(?\s*["']([^"']+)["']/g)) {
    const spec = match[1]!;
    if (spec.startsWith(".")) importGraph(resolve(dirname(file), spec), seen);
    else seen.add(spec);
  }
  return seen;
}

test("mema check, plan, schema, fmt and --help never reach onnxruntime", () => {
  for (const file of ["cli/main.ts", "cli/check.ts", "cli/show-plan.ts", "cli/schema.ts", "cli/fmt.ts"]) {
    // main.ts imports its commands lazily: only its static imports count.
    const graph = file === "cli/main.ts" ? new Set([...readFileSync(join(root, file), "utf8").matchAll(/^import .* from "([^"]+)"/gm)].map((m) => m[1]!)) : importGraph(join(root, file));
    const native = [...graph].filter((m) => /onnxruntime|runtime[\\/]host[\\/]onnxruntime/.test(m));
    assert.deepEqual(native, [], `${file} reaches ${native.join(", ")}`);
  }
});

test("flag mistakes are one line with the code, the flags expected and where help is", async () => {
  const unknown = await mema(["layers", "agenet", "--bogus"]);
  assert.equal(unknown.code, 1);
  assert.equal(unknown.err, "mema layers: error[E_OPTION]: Unknown option '--bogus'; expected one of --shape, --cap, --granularity, --merge, --json, --help (mema layers --help)\n");
  const negative = await mema(["layers", "agenet", "--cap", "-5MB"]);
  assert.equal(negative.code, 1);
  assert.match(negative.err, /^mema layers: error\[E_OPTION\]: option '--cap' needs a value .*--cap=VALUE.*\n$/);
  assert.equal(negative.err.split("\n").length, 2);
  const command = await mema(["toString"]);
  assert.equal(command.code, 1);
  assert.match(command.err, /^mema: unknown command 'toString'; expected one of run, compare, .*\n$/);
});

test("a second argument where one is expected is refused, not ignored", async () => {
  for (const [argv, what] of [[["layers", "agenet", "extra"], "MODEL"], [["run", "a.mema", "b.mema", "--simulate"], "FILE"], [["import-caffe", "a.prototxt", "b"], "FILE"]] as const) {
    const r = await mema([...argv]);
    assert.equal(r.code, 1, argv.join(" "));
    assert.match(r.err, new RegExp(`error\\[E_USAGE\\]: unexpected argument '.*': mema ${argv[0]} takes one ${what}\\n$`));
  }
});

test("mema help COMMAND shows that command's usage", async () => {
  const r = await mema(["help", "layers"]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^mema layers MODEL /);
});

test("every command's --help names each option it accepts", async () => {
  for (const [name, entry] of Object.entries(COMMANDS)) {
    const { command } = await entry.load();
    const missing = Object.keys(command.options).filter((option) => !command.usage.includes(`--${option}`));
    assert.deepEqual(missing, [], `mema ${name} --help does not mention ${missing.join(", ")}`);
  }
});
