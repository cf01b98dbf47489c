// Which errors the CLI prints as one line: its own UsageError and the libraries' input errors, never a bug.
import { test } from "node:test";
import assert from "node:assert/strict";
import { asUsageError, UsageError } from "../../cli/command.ts";
import { ModelError } from "../../runtime/model/errors.ts";
import { SchedulingError } from "../../runtime/schedule/engine.ts";
import { ProfileError } from "../../stdlib/profiles/index.ts";
import { PrototxtError } from "../../stdlib/zoo/prototxt.ts";
import { ZooError } from "../../stdlib/zoo/index.ts";

test("the libraries' input errors keep their message and code", () => {
  const cases: [Error, string][] = [
    [new ModelError("m.onnx: not a valid ONNX model", "E_MODEL_FILE"), "E_MODEL_FILE"],
    [new SchedulingError("network a never fits", "E_TOO_BIG"), "E_TOO_BIG"],
    [new ProfileError("p.json: not a profile", "E_PROFILE"), "E_PROFILE"],
    [new PrototxtError("a.prototxt:1:1: bad", "E_PROTOTXT"), "E_PROTOTXT"],
    [new ZooError("no network 'x'", "E_ZOO"), "E_ZOO"],
  ];
  for (const [error, code] of cases) {
    const usage = asUsageError(error);
    assert.ok(usage instanceof UsageError, error.name);
    assert.equal(usage.message, error.message);
    assert.equal(usage.code, code);
  }
  const own = new UsageError("missing FILE");
  assert.equal(asUsageError(own), own);
});

test("anything else is a bug: no UsageError, so its stack trace shows", () => {
  assert.equal(asUsageError(new TypeError("x is undefined")), undefined);
  assert.equal(asUsageError("a string"), undefined);
});
