// A process for the emulation tests to signal or to run inside cgroups, on whatever runtime runs the tests.
//   parent SPEC_JSON CMD...  runEmulated(SPEC, CMD) with this process's stdio, then `RESULT <json>` on stdout
//   inside OUT_FILE          (inside an emulation) currentEmulation()'s counters around a 48 MiB dd, to OUT_FILE
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { currentEmulation, runEmulated } from "../../../runtime/host/emulate.ts";

const [mode, ...rest] = process.argv.slice(2);
if (mode === "parent") {
  const [spec, ...command] = rest;
  const result = await runEmulated(JSON.parse(spec!), command);
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
} else if (mode === "inside") {
  const emulation = currentEmulation()!;
  const start = emulation.counters();
  // A separate process allocates and exits, so that usage falls back and a reset peak shows it.
  spawnSync("dd", ["if=/dev/zero", "of=/dev/null", "bs=48M", "count=1"], { stdio: "ignore" });
  const afterAllocation = emulation.counters();
  emulation.resetPeak();
  const afterReset = emulation.counters();
  writeFileSync(rest[0]!, JSON.stringify({ spec: emulation.spec, cgroupVersion: emulation.cgroupVersion, start, afterAllocation, afterReset }));
} else {
  throw new Error(`unknown mode ${mode}`);
}
