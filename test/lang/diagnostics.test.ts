// Rendering of diagnostics: the exact layout users and tools see.
import { test } from "node:test";
import assert from "node:assert/strict";
import { renderDiagnostic, type Diagnostic } from "../../lang/diagnostics.ts";
import { nearest, editDistance } from "../../lang/suggest.ts";

const unit: Diagnostic = {
  code: "E_UNIT",
  severity: "error",
  message: "memory needs a unit (B, KB, MB, GB, KiB, MiB, GiB)",
  file: "examples/bad.mema",
  line: 4,
  column: 10,
  length: 3,
};

test("a diagnostic renders as file:line:col, the line and a caret line", () => {
  const text = "# x\npipeline {\n  model agenet;\n  memory 512;\n}\n";
  assert.equal(
    renderDiagnostic(unit, text),
    [
      "examples/bad.mema:4:10: error[E_UNIT]: memory needs a unit (B, KB, MB, GB, KiB, MiB, GiB)",
      "  4 |   memory 512;",
      "    |          ^^^",
    ].join("\n"),
  );
});

test("the gutter widens with the line number; tabs are kept under the text", () => {
  const text = "\n".repeat(11) + "\tmemory 512;";
  const out = renderDiagnostic({ ...unit, line: 12, column: 9 }, text);
  assert.equal(out.split("\n")[1], "  12 | \tmemory 512;");
  assert.equal(out.split("\n")[2], "     | \t       ^^^");
});

test("without the text, only the head line; carets never run past the line", () => {
  assert.equal(renderDiagnostic(unit), unit.file + ":4:10: error[E_UNIT]: " + unit.message);
  const out = renderDiagnostic({ ...unit, line: 1, column: 3, length: 50 }, "ab");
  assert.equal(out.split("\n")[2], "    |   ^");
});

test("suggestions: nearest name within a small edit distance, none for unrelated words", () => {
  assert.equal(editDistance("mema", "meam"), 1);
  assert.equal(nearest("polcy", ["policy", "model"]), "policy");
  assert.equal(nearest("multibulk", ["multi-bulk", "bulk"]), "multi-bulk");
  assert.equal(nearest("zzzz", ["policy", "model"]), undefined);
});
