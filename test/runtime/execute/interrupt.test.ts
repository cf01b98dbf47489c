// Signals as a real run watches them (runtime/execute/interrupt.ts): the first stops, a duplicate right after
// it (the terminal's Ctrl-C and npx's copy) is the same one, a later one ends the process at once by the
// signal's default action: no exit handlers, no native abort (issue 9).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { sameRuntimeCommand } from "../../../runtime/host/emulate.ts";

const child = fileURLToPath(new URL("./interrupt-child.ts", import.meta.url));

async function signalled(signals: { name: NodeJS.Signals; afterMs: number }[]) {
  const [command, ...rest] = sameRuntimeCommand(child);
  const proc = spawn(command!, rest, { stdio: ["ignore", "ignore", "pipe"] });
  let err = "";
  proc.stderr.on("data", (d) => void (err += d));
  // process.kill rather than proc.kill: Deno's ChildProcess sends only the first of several signals.
  const kill = (name: NodeJS.Signals) => {
    try {
      process.kill(proc.pid!, name);
    } catch {
      // Already gone.
    }
  };
  const guard = setTimeout(() => kill("SIGKILL"), 30_000);
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.once("close", (code, signal) => resolve({ code, signal })));
  let closed = false;
  void ended.then(() => (closed = true));
  while (!err.includes("ready\n") && !closed) await new Promise((resolve) => setTimeout(resolve, 20));
  for (const { name, afterMs } of signals) {
    await new Promise((resolve) => setTimeout(resolve, afterMs));
    kill(name);
  }
  // A process still alive after its signals is stopped here and reported as such.
  const alive = setTimeout(() => kill("SIGKILL"), 3000);
  const result = await ended;
  clearTimeout(alive);
  clearTimeout(guard);
  return { ...result, err };
}

test("a second Ctrl-C ends the process by SIGINT itself; a duplicate right after the first does not", async () => {
  const r = await signalled([
    { name: "SIGINT", afterMs: 0 },
    { name: "SIGINT", afterMs: 10 },
    { name: "SIGINT", afterMs: 700 },
  ]);
  assert.ok(r.signal === "SIGINT" || r.code === 130, `ended by ${r.signal ?? r.code}: ${r.err}`);
  assert.equal(r.err.match(/mema: stopping \(Ctrl-C\)/g)?.length, 1, r.err);
  assert.match(r.err, /aborted by SIGINT, exit code 130\n/);
  assert.match(r.err, /mema: SIGINT again: ending now, without a report\n/);
  assert.doesNotMatch(r.err, /terminate called|Napi::Error|^\s+at /m);
});

test("SIGTERM: the stop says so and its exit code is 143", async () => {
  const r = await signalled([
    { name: "SIGTERM", afterMs: 0 },
    { name: "SIGTERM", afterMs: 700 },
  ]);
  assert.ok(r.signal === "SIGTERM" || r.code === 143, `ended by ${r.signal ?? r.code}: ${r.err}`);
  assert.match(r.err, /mema: stopping \(SIGTERM\)/);
  assert.match(r.err, /aborted by SIGTERM, exit code 143\n/);
});
