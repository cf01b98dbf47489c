// The counts that once exhausted the machine (issue 9): each is refused by check and run with its positioned
// error, exit 1, within seconds, by a real process held under a memory limit: a cgroup's (where this machine
// lets the tests make one: root, the memory controller), else the JavaScript heap's (Node and Deno), and a
// timeout that kills it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { MAX_ARRIVALS, MAX_SESSION_THREADS, MAX_WORKERS } from "../../lang/limits.ts";
import { cgroupParents, createCgroups, type EmulationSpec, removeCgroups, runEmulated, sameRuntimeCommand } from "../../runtime/host/emulate.ts";
import { currentRuntime } from "../../runtime/platform.ts";

const MiB = 2 ** 20;
/** The limit each process runs under: what the CLI needs to start (tsx compiling the sources included) and little more. */
const LIMIT: EmulationSpec = { cold: false, memoryBytes: 256 * MiB };
const TIMEOUT_S = 30;
const bin = fileURLToPath(new URL("../../bin/mema.ts", import.meta.url));

async function cgroupsUnavailable(): Promise<string | undefined> {
  if (process.platform !== "linux") return `no cgroups on ${process.platform}`;
  try {
    await removeCgroups(createCgroups(cgroupParents(LIMIT), LIMIT, []));
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}
const noCgroups = await cgroupsUnavailable();

/** `mema ...args` under the memory limit and the timeout: its exit status, stderr and seconds taken. */
async function bounded(dir: string, args: string[]): Promise<{ status: number | null; err: string; seconds: number; how: string }> {
  let command = sameRuntimeCommand(bin, args);
  const started = performance.now();
  if (!noCgroups) {
    const errFile = join(dir, "err.txt");
    const fd = openSync(errFile, "w");
    try {
      const r = await runEmulated(LIMIT, ["timeout", "-s", "KILL", String(TIMEOUT_S), ...command], { stdio: ["ignore", "ignore", fd], forwardSignals: false });
      assert.equal(r.oomKilled, false, `OOM-killed: mema ${args.join(" ")}`);
      return { status: r.exitCode, err: readFileSync(errFile, "utf8"), seconds: (performance.now() - started) / 1000, how: "a cgroup memory limit of 256 MiB" };
    } finally {
      closeSync(fd);
    }
  }
  // No cgroup: the JavaScript heap bounded where the runtime takes a flag (Bun has none: the timeout only).
  const runtime = currentRuntime();
  if (runtime === "node") command = [command[0]!, "--max-old-space-size=128", ...command.slice(1)];
  if (runtime === "deno") command = [command[0]!, command[1]!, "--v8-flags=--max-old-space-size=128", ...command.slice(2)];
  const r = spawnSync(command[0]!, command.slice(1), { encoding: "utf8", timeout: TIMEOUT_S * 1000, killSignal: "SIGKILL" });
  return { status: r.status, err: r.stderr, seconds: (performance.now() - started) / 1000, how: runtime === "bun" ? "a timeout" : "a 128 MB heap" };
}

test(`the bad counts: positioned error, exit 1, in seconds, under a memory limit${noCgroups ? ` (no cgroup: ${noCgroups})` : ""}`, async () => {
  const dir = mkdtempSync(join(tmpdir(), "mema-bounds-"));
  try {
    const file = (name: string, statement: string) => {
      const path = join(dir, `${name}.mema`);
      writeFileSync(path, `pipeline p <\n  model agenet;\n  memory 512MB;\n  policy mema;\n  ${statement}\n>\n`);
      return path;
    };
    const cases: [string, string, RegExp][] = [
      ["workers", "workers 100000;", new RegExp(`workers\\.mema:5:11: error\\[E_RANGE\\]: workers must be at most ${MAX_WORKERS}, got 100000`)],
      ["batch", "arrivals batch 1000000000;", new RegExp(`batch\\.mema:5:18: error\\[E_RANGE\\]: rounds must be at most ${MAX_ARRIVALS}, got 1000000000`)],
      ["every", "arrivals every 1ms count 1000000000;", new RegExp(`every\\.mema:5:28: error\\[E_RANGE\\]: count must be at most ${MAX_ARRIVALS}, got 1000000000`)],
      ["session", "session { intraOpNumThreads: 100000 };", new RegExp(`session\\.mema:5:32: error\\[E_SESSION\\]: session option 'intraOpNumThreads' takes an integer from 0 to ${MAX_SESSION_THREADS}`)],
    ];
    const runs: [string[], RegExp][] = [];
    for (const [name, statement, pattern] of cases) {
      const path = file(name, statement);
      // check, and a real run (the one that once started the threads); --simulate compiles the file the same way.
      runs.push([["check", path], pattern], [["run", path], pattern]);
    }
    runs.push([["run", file("plain", "workers 1;"), "--simulate", "--workers", "1e9"], new RegExp(`^mema run: error\\[E_OPTION\\]: --workers 1000000000: at most ${MAX_WORKERS} workers$`, "m")]);
    for (const [args, pattern] of runs) {
      const r = await bounded(dir, args);
      const what = `mema ${args.join(" ")} under ${r.how}: exit ${r.status} after ${r.seconds.toFixed(1)} s`;
      assert.equal(r.status, 1, `${what}\n${r.err}`);
      assert.match(r.err, pattern, what);
      assert.doesNotMatch(r.err, /^\s+at |E_INTERNAL|heap|terminate called/m, what);
      // Seconds of start-up (tsx compiling the sources, a loaded machine) at most, not minutes of work.
      assert.ok(r.seconds < 20, what);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
