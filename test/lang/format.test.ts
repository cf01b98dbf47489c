// The formatter: one canonical layout, comments kept, idempotent, refuses broken files.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { format } from "../../lang/format.ts";
import { parse } from "../../lang/parse.ts";

const examples = join(dirname(fileURLToPath(import.meta.url)), "../../examples");

const ugly = `# header


import   "common.mema"
;let budget=256 MiB ; # trailing
model mine from "m.onnx" {shapes:{x:[1,3,224,224,],},seed:3};
pipeline faces <   # opener
  model agenet
  ; model det from "det.onnx";


  # own line
  memory [128MB,512MB,  # mid
     1GB]
  ;policy [linear,mema];workers 2;
  session {}
  ;arrivals poisson 100ms count 5 seed 1 pick 3
>
pipeline{model x}
`;

const canonical = `# header

import "common.mema";
let budget = 256MiB;  # trailing
model mine from "m.onnx" { shapes: { x: [1, 3, 224, 224] }, seed: 3 };
pipeline faces <  # opener
  model agenet;
  model det from "det.onnx";

  # own line
  memory [128MB, 512MB,  # mid
    1GB];
  policy [linear, mema];
  workers 2;
  session {};
  arrivals poisson 100ms count 5 seed 1 pick 3;
>
pipeline <
  model x;
>
`;

test("fmt prints the canonical layout", () => {
  assert.equal(format(ugly).text, canonical);
});

test("fmt is idempotent and keeps every comment", () => {
  assert.equal(format(canonical).text, canonical);
  const comments = (t: string) => parse(t).comments.map((c) => c.image.trim());
  assert.deepEqual(comments(canonical), comments(ugly));
});

test("the formatted text means the same", () => {
  assert.deepEqual(parse(format(ugly).text!).ast, parse(ugly).ast);
});

test("the examples are already formatted", () => {
  const faces = readFileSync(join(examples, "faces.mema"), "utf8");
  assert.equal(format(faces).text, faces);
});

test("pipeline blocks are written < >, records stay { }; a block opened with one and closed with the other is an error", () => {
  assert.equal(format("pipeline p { model m from agenet { seed: 1 }; session {} }").text, "pipeline p <\n  model m from agenet { seed: 1 };\n  session {};\n>\n");
  assert.equal(format("pipeline p < model agenet >").text, "pipeline p <\n  model agenet;\n>\n");
  for (const mixed of ["pipeline p { model agenet >", "pipeline p < model agenet }"]) {
    const r = format(mixed);
    assert.equal(r.text, undefined, mixed);
    assert.deepEqual(r.diagnostics.map((d) => `${d.code} ${d.line}:${d.column}`), ["E_SYNTAX 1:27"], mixed);
  }
});

test("a file with syntax errors is not formatted", () => {
  const r = format("pipeline { memory ; }");
  assert.equal(r.text, undefined);
  assert.equal(r.diagnostics[0]!.code, "E_SYNTAX");
});
