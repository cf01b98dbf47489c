// The parser: tree shape, hidden spans, keyword/name boundaries, recovery, and never throwing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parse } from "../../lang/parse.ts";
import { spanOf } from "../../lang/ast.ts";
import { memaParser } from "../../lang/parser.ts";
import { allTokens } from "../../lang/tokens.ts";

test("a document parses into plain statements; spans are hidden from deepEqual and JSON", () => {
  const { ast, diagnostics } = parse('let budget = 256MiB;\nmodel mine from "m.onnx" { seed: 2 };\npipeline faces { model agenet; memory budget; policy [linear, mema]; workers 2 }');
  assert.deepEqual(diagnostics, []);
  assert.deepEqual(ast, {
    kind: "document",
    statements: [
      { kind: "let", name: "budget", value: { kind: "quantity", value: 256, unit: "MiB" } },
      {
        kind: "model",
        name: "mine",
        from: { kind: "string", value: "m.onnx" },
        options: { kind: "record", fields: [{ key: "seed", value: { kind: "quantity", value: 2, unit: null } }] },
      },
      {
        kind: "pipeline",
        name: "faces",
        body: [
          { kind: "model", name: "agenet" },
          { kind: "setting", setting: "memory", value: { kind: "name", name: "budget" } },
          { kind: "setting", setting: "policy", value: { kind: "list", items: [{ kind: "name", name: "linear" }, { kind: "name", name: "mema" }] } },
          { kind: "setting", setting: "workers", value: { kind: "quantity", value: 2, unit: null } },
        ],
      },
    ],
  });
  assert.ok(!JSON.stringify(ast).includes("span"));
  const let0 = ast!.statements[0]!;
  assert.deepEqual(spanOf(let0), { offset: 0, length: 20, line: 1, column: 1, file: "<input>" });
  assert.deepEqual(spanOf(let0, "nameSpan"), { offset: 4, length: 6, line: 1, column: 5, file: "<input>" });
  assert.equal(Object.keys(let0).includes("span"), false);
});

test("keywords do not swallow longer names (longer_alt)", () => {
  const { ast, diagnostics } = parse("let policyA = 1; let models = 2; let memory_x = 3; let pipeline-b = 4;");
  assert.deepEqual(diagnostics, []);
  assert.deepEqual(ast!.statements.map((s) => (s.kind === "let" ? s.name : "")), ["policyA", "models", "memory_x", "pipeline-b"]);
});

test("names may contain - and _ (policy names like deepeye-frugal)", () => {
  const { ast } = parse("pipeline { policy deepeye-frugal; model sos_googlenet; }");
  const body = (ast!.statements[0] as { body: unknown[] }).body;
  assert.deepEqual(body, [
    { kind: "setting", setting: "policy", value: { kind: "name", name: "deepeye-frugal" } },
    { kind: "model", name: "sos_googlenet" },
  ]);
});

test("sizes and durations: glued or spaced units, decimals, negatives", () => {
  const { ast } = parse("let a = [512MB, 512 MB, 1.5s, -3, 2e3ms, 7 GiB];");
  const list = (ast!.statements[0] as { value: { items: unknown[] } }).value.items;
  assert.deepEqual(list, [
    { kind: "quantity", value: 512, unit: "MB" },
    { kind: "quantity", value: 512, unit: "MB" },
    { kind: "quantity", value: 1.5, unit: "s" },
    { kind: "quantity", value: -3, unit: null },
    { kind: "quantity", value: 2000, unit: "ms" },
    { kind: "quantity", value: 7, unit: "GiB" },
  ]);
});

test("a space does not glue a following word that is not a unit", () => {
  const { ast, diagnostics } = parse("pipeline { model agenet; arrivals poisson 100ms count 5 seed 1; }");
  assert.deepEqual(diagnostics, []);
  const arrivals = (ast!.statements[0] as { body: { args?: unknown[] }[] }).body[1]!;
  assert.equal(arrivals.args!.length, 6);
});

test("the last statement of a block may omit its ';', others may not", () => {
  assert.deepEqual(parse("pipeline { model agenet; memory 1GB }").diagnostics, []);
  const { diagnostics } = parse("pipeline {\n  model agenet\n  memory 1GB\n}");
  assert.deepEqual(diagnostics.map((d) => [d.code, d.line, d.column]), [["E_SYNTAX", 2, 15]]);
});

test("pipelines are written < > and accept { } too, with the same tree", () => {
  const { ast, diagnostics } = parse("pipeline faces <\n  model agenet;\n>");
  assert.deepEqual(diagnostics, []);
  assert.equal(ast!.statements[0]!.kind, "pipeline");
  assert.deepEqual(parse("pipeline faces {\n  model agenet;\n}").ast, ast);
});

test("recovery: independent errors are all reported, positions 1-based", () => {
  const text = "pipeline {\n  memory ;\n  model agenet;\n  workers [1 2];\n  = 3;\n}\nlet = 5;\n";
  const { diagnostics, ast } = parse(text);
  assert.ok(ast);
  assert.deepEqual(diagnostics.map((d) => `${d.line}:${d.column}`), ["2:10", "4:14", "5:3", "7:5"]);
  assert.ok(diagnostics.every((d) => d.code === "E_SYNTAX"));
  assert.match(diagnostics[0]!.message, /expected a value .* but found ';'/);
});

test("an error at the end of the file anchors on the last real token, not on NaN", () => {
  const { diagnostics } = parse("pipeline a {\n  model agenet;");
  assert.equal(diagnostics.length, 1);
  assert.deepEqual([diagnostics[0]!.line, diagnostics[0]!.column], [2, 16]);
  assert.match(diagnostics[0]!.message, /opened at 1:12 is not closed: expected '}' before the end of the file/);
  assert.match(parse("pipeline a <\n  model agenet;").diagnostics[0]!.message, /expected '>' before the end of the file/);
});

test("an unterminated string is reported once, and parsing goes on", () => {
  const { diagnostics } = parse('let a = "open;\nlet b = 5MB;\nlet = 1;');
  assert.deepEqual(diagnostics.map((d) => `${d.code}@${d.line}:${d.column}`), ["E_UNTERMINATED_STRING@1:9", "E_SYNTAX@3:5"]);
});

test("one parser instance serves every call", () => {
  const first = memaParser;
  parse("pipeline { model agenet }");
  parse("garbage [[[");
  assert.equal(memaParser, first);
  assert.deepEqual(parse("pipeline { model agenet }").diagnostics, []);
});

test("parse never throws, whatever the input", () => {
  for (const text of ["", "\u0000", "{{{{", "]]]]", '"', "pipeline", "let", "model from from", "#", "\r\n\r", "🙂 memory"]) {
    const result = parse(text);
    assert.ok(Array.isArray(result.diagnostics));
  }
});

test("the lexer and parser use chevrotain's one-file bundle, not its entry point (which loads lodash-es as 600 modules)", async () => {
  const bundled = await import("../../lang/chevrotain.ts");
  const entry = await import("chevrotain");
  // Two module instances: had the bundle not been found, lang/chevrotain.ts would hand out the entry's classes.
  assert.notEqual(bundled.Lexer, entry.Lexer);
  assert.notEqual(bundled.CstParser, entry.CstParser);
  assert.equal(typeof bundled.createToken, "function");
});

test("CST nodes keep their children in plain objects (MemaParser.cstInvocationStateUpdate), and no name can collide", () => {
  // If a chevrotain upgrade stopped calling the override, parsing would silently be a quarter slower.
  memaParser.input = [];
  const cst = memaParser.document();
  assert.equal(Object.getPrototypeOf(cst.children), Object.prototype);
  // Plain objects inherit Object.prototype's properties: no rule or token name may be one of them.
  const names = [...Object.keys(memaParser.getGAstProductions()), ...allTokens.map((t) => t.name)];
  assert.ok(names.length > 20);
  for (const name of names) assert.equal(name in Object.prototype, false, name);
});
