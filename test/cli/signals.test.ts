// Ctrl-C (SIGINT) and SIGTERM sent to a real `mema run` process in its phases (issue 9): while preparing
// models it exits 130 and leaves earlier output files untouched; while running it reports what finished
// (response times of the finished networks) and exits 130 / 143; the same Ctrl-C delivered twice at once
// (the terminal's and npx's) is one. Phases are found from the process itself: its stderr while preparing,
// and onnxruntime and the model's weights mapped into it (Linux /proc) while running.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { sameRuntimeCommand } from "../../runtime/host/emulate.ts";
import { tempFolder, useTempCache } from "../runtime/model/graph-builder.ts";
import { mema } from "./run-cli.ts";

useTempCache();
const skip = !existsSync("/proc/self/maps") && "needs Linux /proc";
const bin = fileURLToPath(new URL("../../bin/mema.ts", import.meta.url));
const folder = tempFolder();
const scenario = (name: string, rounds: number) => {
  const path = join(folder, `${name}.mema`);
  writeFileSync(path, `pipeline p <\n  model agenet;\n  model gendernet;\n  memory 64MB;\n  policy mema;\n  workers 2;\n  arrivals batch ${rounds};\n>\n`);
  return path;
};
const EARLIER = '{"earlier": true}\n';

interface Running {
  pid: number;
  err(): string;
  ended: Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string }>;
}

function start(args: string[], env: Record<string, string> = {}): Running {
  const [command, ...rest] = sameRuntimeCommand(bin, args);
  const child = spawn(command!, rest, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
  let out = "";
  let err = "";
  child.stdout.on("data", (d) => void (out += d));
  child.stderr.on("data", (d) => void (err += d));
  // Never left behind, whatever the test does: a run that was not stopped ends here after 60 s.
  // process.kill rather than child.kill: Deno's ChildProcess sends only the first of several signals.
  const guard = setTimeout(() => {
    try {
      process.kill(child.pid!, "SIGKILL");
    } catch {
      // Already gone.
    }
  }, 60_000);
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string }>((resolve) =>
    child.once("close", (code, signal) => {
      clearTimeout(guard);
      resolve({ code, signal, out, err });
    }),
  );
  return { pid: child.pid!, err: () => err, ended };
}

async function waitFor(what: string, ready: () => boolean, run: Running, timeoutMs = 45_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!ready()) {
    if (Date.now() > until) {
      try {
        process.kill(run.pid, "SIGKILL");
      } catch {
        // Already gone.
      }
      throw new Error(`timed out waiting for ${what}; stderr so far: ${run.err()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const maps = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/maps`, "utf8");
  } catch {
    return "";
  }
};

/**
 * Running steps: the workers have loaded onnxruntime and sessions map weights; then `afterMs` more, so that
 * the first rounds (each ~0.3-0.7 s here) have finished. The run has 200 rounds: it is still running then.
 */
async function whileRunning(run: Running, afterMs: number): Promise<void> {
  await waitFor("sessions mapping weights", () => /onnxruntime/.test(maps(run.pid)) && /\.onnx$/m.test(maps(run.pid)), run);
  await new Promise((resolve) => setTimeout(resolve, afterMs));
}

/** Exit status as a shell shows it: the code, or 128 + the signal that ended the process. */
const status = (r: { code: number | null; signal: NodeJS.Signals | null }) => r.code ?? 128 + (r.signal === "SIGINT" ? 2 : r.signal === "SIGTERM" ? 15 : 0);

test("Ctrl-C while preparing models: exit 130, the rest not prepared, earlier outputs untouched", { skip }, async () => {
  const cache = mkdtempSync(join(tmpdir(), "mema-signal-cache-"));
  try {
    const json = join(folder, "prepare.json");
    writeFileSync(json, EARLIER);
    const run = start(["run", scenario("prepare", 3), "--json", json], { MEMA_CACHE_DIR: cache });
    await waitFor("the first model's generation", () => /generating model agenet/.test(run.err()), run);
    process.kill(run.pid, "SIGINT");
    const r = await run.ended;
    assert.equal(status(r), 130, r.err);
    assert.equal(r.out, "");
    assert.match(r.err, /^mema run: interrupted \(SIGINT\) before any run had started; nothing written$/m);
    assert.doesNotMatch(r.err, /^\s+at |terminate called|error\[/m);
    assert.equal(readFileSync(json, "utf8"), EARLIER);
    assert.deepEqual(readdirSync(join(cache, "zoo")).filter((f) => f.startsWith("gendernet")), [], "gendernet was not generated");
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
});

test("Ctrl-C while running, delivered twice at once: one stop, the partial report of what finished, exit 130", { skip }, async () => {
  // Fills the cache (zoo models, splits), so that the runs below start at once.
  assert.equal((await mema("run", scenario("warm", 1), "--quiet")).code, 0);
  const json = join(folder, "running.json");
  writeFileSync(json, EARLIER);
  const run = start(["run", scenario("running", 200), "--json", json]);
  await whileRunning(run, 2500);
  process.kill(run.pid, "SIGINT");
  process.kill(run.pid, "SIGINT"); // npx passes on the Ctrl-C the terminal already sent to the group
  const r = await run.ended;
  assert.equal(status(r), 130, r.err);
  assert.equal(r.err.match(/mema: stopping \(Ctrl-C\)/g)?.length, 1, r.err);
  assert.doesNotMatch(r.err, /^\s+at |terminate called|again: ending now/m);
  const report = JSON.parse(readFileSync(json, "utf8"));
  assert.equal(report.interrupted, true);
  assert.ok(report.networks.length > 0, "some networks finished");
  assert.ok(Number.isFinite(report.meanResponseMs) && report.meanResponseMs > 0, `mean response ${report.meanResponseMs}`);
  assert.match(r.out, /INTERRUPTED \(partial\)/);
  assert.match(r.out, /response +mean \d/);
});

test("SIGTERM while running: the same stop, exit 143", { skip }, async () => {
  const json = join(folder, "term.json");
  const run = start(["run", scenario("term", 200), "--json", json]);
  await whileRunning(run, 500);
  process.kill(run.pid, "SIGTERM");
  const r = await run.ended;
  assert.equal(status(r), 143, r.err);
  assert.match(r.err, /mema: stopping \(SIGTERM\)/);
  assert.equal(JSON.parse(readFileSync(json, "utf8")).interrupted, true);
});
