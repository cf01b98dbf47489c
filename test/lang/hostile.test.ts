// Hostile and broken text (issue 9): escaped and bounded diagnostics, caps, nesting, bounds, notes. Nothing
// here may end in E_INTERNAL, and what a terminal would show stays small whatever the input.
import { test } from "node:test";
import assert from "node:assert/strict";
import { check, compile, format, memoryHost, parse, renderDiagnostic, renderDiagnostics, type Diagnostic } from "../../lang/index.ts";
import { escapeForTerminal } from "../../lang/diagnostics.ts";
import { EXCERPT_COLUMNS, MAX_NESTING, MAX_SHOWN_DIAGNOSTICS, MAX_SOURCE_BYTES } from "../../lang/limits.ts";

const at = (d: Diagnostic) => `${d.line}:${d.column} ${d.code}`;

/** Deterministic bytes-as-text garbage: every code unit from 0 to 0xff, brackets included. */
function garbage(length: number, seed = 7): string {
  let a = seed >>> 0;
  const chars: string[] = [];
  for (let i = 0; i < length; i++) {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
    chars.push(String.fromCharCode(a >>> 24));
  }
  return chars.join("");
}

test("control characters from the input are escaped in the excerpt and the message; carets stay under them", () => {
  const text = "pipeline < model agenet; memory \x1b]0;PWNED\x07; >\n";
  const { diagnostics } = check(text, { file: "t.mema" });
  const out = renderDiagnostics(diagnostics, () => text);
  assert.doesNotMatch(out, /[\x00-\x08\x0b-\x1f\x7f]/, "no raw control character reaches the terminal");
  const lines = out.split("\n");
  assert.equal(lines[0], "t.mema:1:33: error[E_SYNTAX]: unexpected character '\\x1b'");
  assert.equal(lines[1], "  1 | pipeline < model agenet; memory \\x1b]0;PWNED\\x07; >");
  // The caret line underlines the whole escape, and the next diagnostic's caret sits under ']'.
  assert.equal(lines[2], "    | " + " ".repeat(32) + "^^^^");
  assert.equal(lines[5], "    | " + " ".repeat(36) + "^");
  assert.equal(lines[4]![6 + 36], "]");
});

test("bidi overrides, C1 controls, separators and the BOM are escaped; tabs and plain text are not", () => {
  assert.equal(escapeForTerminal("a\u202eb\u0085c\u2028d\ufeffe\tf é 🙂"), "a\\u{202e}b\\x85c\\u{2028}d\\u{feff}e\tf é 🙂");
});

test("a 1 MB line is cut to a window around the caret", () => {
  const text = `pipeline < model "${"a".repeat(1_000_000)}"; memory 512; >`;
  const d: Diagnostic = { code: "E_UNIT", severity: "error", message: "memory needs a unit", file: "t.mema", line: 1, column: text.indexOf("512") + 1, length: 3 };
  const out = renderDiagnostic(d, text);
  const [, source, carets] = out.split("\n");
  assert.ok(source!.length < EXCERPT_COLUMNS + 20, `excerpt of ${source!.length} characters`);
  assert.ok(source!.startsWith("  1 | …"));
  assert.equal(source![carets!.indexOf("^")], "5", "the caret is under the value");
  assert.equal(carets!.slice(6).trim(), "^^^");
  // A diagnostic at the start of the same line: cut on the right only.
  const first = renderDiagnostic({ ...d, column: 1, length: 8 }, text).split("\n");
  assert.ok(first[1]!.endsWith("…") && first[1]!.length < EXCERPT_COLUMNS + 20);
  assert.equal(first[2], "    | ^^^^^^^^");
});

test("a huge underline and a huge quoted name are cut too", () => {
  const name = "x".repeat(200_000);
  const { diagnostics, files } = check(`pipeline < ${name}; model agenet; >`, { file: "t.mema" });
  assert.deepEqual(diagnostics.map(at), ["1:12 E_UNKNOWN_STATEMENT"]);
  const out = renderDiagnostics(diagnostics, (f) => files.get(f));
  assert.ok(out.length < 2_000, `${out.length} characters`);
  assert.match(out, /more characters\)/);
});

test(`at most ${MAX_SHOWN_DIAGNOSTICS} diagnostics per file are rendered, then a count`, () => {
  const list: Diagnostic[] = Array.from({ length: 250 }, (_, i) => ({ code: "E_SYNTAX", severity: "error", message: "x", file: "a.mema", line: i + 1, column: 1, length: 1 }));
  const out = renderDiagnostics(list, () => "y\n".repeat(250));
  assert.equal(out.match(/error\[E_SYNTAX\]/g)!.length, MAX_SHOWN_DIAGNOSTICS);
  assert.ok(out.endsWith("a.mema: 150 more errors not shown\n"));
});

test("megabytes of garbage: a diagnostic per problem, never E_INTERNAL, rendered output bounded", () => {
  const text = garbage(500_000);
  const result = compile(text, { file: "g.mema" });
  assert.ok(result.diagnostics.length > 0);
  assert.ok(!result.diagnostics.some((d) => d.code === "E_INTERNAL"), "no E_INTERNAL");
  const out = renderDiagnostics(result.diagnostics, (f) => result.files.get(f));
  assert.ok(out.length < 200_000, `${out.length} characters rendered`);
  assert.doesNotMatch(out, /[\x00-\x08\x0b-\x1f\x7f]/);
});

test("garbage without brackets (no nesting limit to stop early) is handled too", () => {
  const alphabet = 'abc012;:,="# \n\t@.-';
  const text = Array.from(garbage(300_000, 3), (c) => alphabet[c.charCodeAt(0) % alphabet.length]!).join("");
  const result = check(text, { file: "g.mema" });
  assert.ok(!result.diagnostics.some((d) => d.code === "E_INTERNAL"));
  assert.ok(renderDiagnostics(result.diagnostics, () => text).length < 200_000);
});

test("mema fmt's path on 400 KB of garbage completes with bounded output", () => {
  const text = garbage(400_000, 11);
  const result = format(text, "g.mema");
  assert.equal(result.text, undefined);
  assert.ok(!result.diagnostics.some((d) => d.code === "E_INTERNAL"));
  assert.ok(renderDiagnostics(result.diagnostics, () => text).length < 200_000);
});

test("formatting a large valid file is fine (linear: 20,000 pipelines)", () => {
  const text = Array.from({ length: 20_000 }, (_, i) => `pipeline p${i} { model agenet; memory 1GB }`).join("\n");
  const result = format(text, "big.mema");
  assert.deepEqual(result.diagnostics, []);
  assert.equal(result.text!.split("\n").length, 20_000 * 4 + 1);
});

test(`nesting deeper than ${MAX_NESTING} is one positioned E_LIMIT, in .mema, --set values, YAML and JSON`, () => {
  const deep = (open: string, close: string, n: number) => open.repeat(n) + "1" + close.repeat(n);
  for (const n of [MAX_NESTING + 1, 3000, 100_000]) {
    const list = check(`let x = ${deep("[", "]", n)};`, { file: "a.mema" });
    assert.deepEqual(list.diagnostics.map(at), [`1:${9 + MAX_NESTING} E_LIMIT`], `${n} levels`);
    const pipelines = parse("pipeline < ".repeat(n));
    assert.deepEqual(pipelines.diagnostics.map(at), [`1:${1 + 11 * MAX_NESTING + 9} E_LIMIT`]);
    assert.equal(format(`let x = ${deep("[", "]", n)};`).diagnostics[0]!.code, "E_LIMIT");
  }
  const ok = check(`let x = ${deep("[", "]", MAX_NESTING)};`, { file: "a.mema" });
  assert.deepEqual(ok.diagnostics, []);
  const set = compile("let b = 1GB;\npipeline < model agenet; memory b; >", { overrides: { b: deep("[", "]", 5000) } });
  assert.deepEqual(set.diagnostics.map((d) => `${d.file} ${d.code}`), ["--set b E_LIMIT"]);
  const yaml = check(`pipeline: ${deep("[", "]", 3000)}`, { file: "d.yaml" });
  assert.deepEqual(yaml.diagnostics.map((d) => d.code), ["E_LIMIT"]);
  const json = check(`{"pipeline": {"session": ${deep('{"a":', "}", 200)}}}`, { file: "d.json" });
  assert.deepEqual(json.diagnostics.map((d) => d.code), ["E_LIMIT"]);
});

test("counts at their bounds are accepted; one past is E_RANGE", () => {
  const ok = compile("pipeline < model agenet; workers 64; arrivals every 1ms count 10000 pick 2 seed 4294967295; session { intraOpNumThreads: 256, interOpNumThreads: 0 }; >");
  assert.deepEqual(ok.diagnostics, []);
  assert.equal(ok.plan!.pipelines[0]!.runs[0]!.workers, 64);
  const past = check("pipeline < model agenet; workers 65; session { interOpNumThreads: 257 }; arrivals batch 10001; >");
  assert.deepEqual(past.diagnostics.map((d) => d.code), ["E_RANGE", "E_SESSION", "E_RANGE"]);
  const size = check("pipeline < model agenet; memory 8388608GiB; >");
  assert.match(size.diagnostics[0]!.message, /^memory is too large \(at most 8388608GiB\)/);
  assert.deepEqual(check("pipeline < model agenet; memory 8388607GiB; >").diagnostics, []);
});

test("a let of the wrong kind: the error at the use, the let (even in an import, or a --set) as a note", () => {
  const host = memoryHost({ "/p/lib.mema": 'let budgets = [1GB, "big"];', "/p/main.mema": 'import "lib.mema";\npipeline < model agenet; memory budgets; >' }, "/p");
  const r = check('import "lib.mema";\npipeline < model agenet; memory budgets; >', { file: "main.mema", host });
  assert.deepEqual(r.diagnostics.map((d) => `${d.file}:${at(d)}`), ["main.mema:2:33 E_TYPE"]);
  assert.deepEqual(r.diagnostics[0]!.notes, [{ message: "the value comes from 'let budgets' here", file: "lib.mema", line: 1, column: 21, length: 5 }]);
  const out = renderDiagnostics(r.diagnostics, (f) => r.files.get(f));
  assert.equal(
    out,
    [
      "main.mema:2:33: error[E_TYPE]: memory needs a size like 512MB, not a string",
      "  2 | pipeline < model agenet; memory budgets; >",
      "    |                                 ^^^^^^^",
      "lib.mema:1:21: note: the value comes from 'let budgets' here",
      '  1 | let budgets = [1GB, "big"];',
      "    |                     ^^^^^",
      "",
    ].join("\n"),
  );
  // A path in a let stays relative to the file the string is written in.
  const files = memoryHost({ "/p/lib/m.mema": 'let m = "x.onnx";', "/p/lib/x.onnx": "" }, "/p");
  const model = compile('import "lib/m.mema";\npipeline < model a from m; >', { file: "main.mema", host: files });
  assert.deepEqual(model.diagnostics, []);
  assert.deepEqual(model.plan!.pipelines[0]!.models[0]!.source, { kind: "file", path: "/p/lib/x.onnx" });
});

test("imports: an empty path is an error; a file over the size cap is E_LIMIT; a BOM is accepted (.mema and .yaml)", () => {
  const host = memoryHost({ "/big.mema": "#".repeat(MAX_SOURCE_BYTES + 1), "/bom.mema": "\ufefflet b = 1GB;" }, "/");
  const r = check('import "";\nimport "big.mema";\nimport "bom.mema";\npipeline < model agenet; memory b; >', { file: "main.mema", host });
  assert.deepEqual(r.diagnostics.map(at), ["1:8 E_IMPORT_NOT_FOUND", "2:8 E_LIMIT"]);
  assert.match(r.diagnostics[1]!.message, /larger than 4 MiB/);
  // An unterminated or missing path is a syntax error only.
  assert.deepEqual(check('import ";\n', { file: "a.mema" }).diagnostics.map((d) => d.code), ["E_UNTERMINATED_STRING"]);
  assert.deepEqual(check("\ufeffpipeline < model agenet; >").diagnostics, []);
  assert.deepEqual(check("\ufeffpipeline:\n  models: [agenet]\n", { file: "a.yaml" }).diagnostics, []);
  assert.equal(format("\ufeffpipeline < model agenet; >").text, "pipeline <\n  model agenet;\n>\n");
});

test("lets built from lets (a value of 2^60 leaves as a tree, 20,000 lets deep) are checked without walking every path", { timeout: 30_000 }, () => {
  const doubling = ["let a0 = 1MB;"];
  for (let i = 1; i < 60; i++) doubling.push(`let a${i} = [a${i - 1}, a${i - 1}];`);
  doubling.push("let t = { x: a59 };", "pipeline < model agenet; memory a59; arrivals times a59; session t; >");
  const wide = check(doubling.join("\n"), { file: "a.mema" });
  assert.deepEqual(wide.diagnostics.map(at), ["62:33 E_TYPE", "62:53 E_TYPE", "62:66 E_TYPE"]);
  const chain = ["let a0 = 1MB;"];
  for (let i = 1; i < 20_000; i++) chain.push(`let a${i} = [a${i - 1}];`);
  chain.push("pipeline < model agenet; memory a19999; >");
  const deep = check(chain.join("\n"), { file: "a.mema" });
  assert.deepEqual(deep.diagnostics.map(at), ["20001:33 E_TYPE"]);
});
