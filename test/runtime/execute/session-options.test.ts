// Session options from the pipeline and the command line: typed, checked, defaults measured for 2 cores.
import { test } from "node:test";
import assert from "node:assert/strict";
import { defaultSessionSettings, parseSessionFlag, resolveSessionSettings, SessionOptionError } from "../../../runtime/execute/session-options.ts";

test("defaults: arena, memory pattern and prepacking off; the cores shared among the workers", () => {
  assert.deepEqual(defaultSessionSettings(2, 2), { enableCpuMemArena: false, enableMemPattern: false, disablePrepacking: true, intraOpNumThreads: 1, interOpNumThreads: 1 });
  assert.equal(defaultSessionSettings(1, 2).intraOpNumThreads, 2);
  assert.equal(defaultSessionSettings(4, 2).intraOpNumThreads, 1);
});

test("the command line overrides the pipeline, which overrides the defaults", () => {
  const settings = resolveSessionSettings(2, { intraOpNumThreads: 2, enableCpuMemArena: true }, parseSessionFlag("intraOpNumThreads=3, graphOptimizationLevel=all"));
  assert.equal(settings.intraOpNumThreads, 3);
  assert.equal(settings.enableCpuMemArena, true);
  assert.equal(settings.graphOptimizationLevel, "all");
  assert.equal(settings.enableMemPattern, false);
});

test("mistakes are one-line errors naming the option and what it takes", () => {
  assert.throws(() => resolveSessionSettings(2, { threads: 2 }), (e: Error) => e instanceof SessionOptionError && /unknown session option 'threads', expected one of: intraOpNumThreads/.test(e.message));
  assert.throws(() => resolveSessionSettings(2, {}, { intraOpNumThreads: "two" }), /--session: session option 'intraOpNumThreads' takes an integer from 0 to 256 \(0: onnxruntime.s default, one per core\), got "two"/);
  assert.throws(() => resolveSessionSettings(2, { graphOptimizationLevel: "max" }), /takes disabled, basic, extended, all/);
  assert.throws(() => parseSessionFlag("intraOpNumThreads"), /--session: expected key=value, got 'intraOpNumThreads'/);
});
