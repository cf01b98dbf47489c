// Runs first under each runtime: the suite must really be running where scripts/test.sh says it is.
import { test } from "node:test";
import assert from "node:assert/strict";
import { currentRuntime } from "../runtime/platform.ts";

test("the suite runs on the runtime it claims", () => {
  const expected = process.env.MEMA_EXPECT_RUNTIME;
  assert.ok(expected, "MEMA_EXPECT_RUNTIME is set by scripts/test.sh");
  assert.equal(currentRuntime(), expected);
  if (expected === "node") assert.match(process.version, /^v\d+/);
});
