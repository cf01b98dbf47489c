// Hostile and broken inputs through the real CLI process (issue 9): garbage bytes and mutated examples, with
// random flags from the real flag set, under `mema check`, `fmt`, `plan` and `run --simulate`. Every run must
// end with an exit code of 0, 1 or 2 (130 if interrupted) within its time limit, with no stack trace, a
// bounded output, and nothing written outside its own output folder. Seeded: MEMA_FUZZ_SEED=N repeats a
// run (the seed is printed); MEMA_FUZZ_RUNS=N changes how many processes it starts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { sameRuntimeCommand } from "../../runtime/host/emulate.ts";
import { currentRuntime } from "../../runtime/platform.ts";
import { useTempCache } from "../runtime/model/graph-builder.ts";

useTempCache();
const root = fileURLToPath(new URL("../../", import.meta.url));
const bin = join(root, "bin/mema.ts");
const seed = Number(process.env.MEMA_FUZZ_SEED ?? 20261202);
// Each process costs a runtime start (~0.5-1.5 s): fewer where starting is slower.
const runs = Number(process.env.MEMA_FUZZ_RUNS ?? (currentRuntime() === "node" ? 60 : 16));
const TIME_LIMIT_MS = 20_000;
const OUTPUT_LIMIT = 4 << 20;

/** mulberry32: small, seeded, the same on every runtime. */
function random(seedValue: number): () => number {
  let a = seedValue >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const examples = readdirSync(join(root, "examples"), { recursive: true })
  .map(String)
  .filter((f) => f.endsWith(".mema"))
  .map((f) => readFileSync(join(root, "examples", f), "utf8"));

const TOKENS = ["<", ">", "{", "}", "[", "]", ";", ",", "\"", "#", "pipeline", "model", "memory", "policy", "workers", "arrivals", "batch", "poisson", "count", "pick", "import \"x.mema\";", "let", "=", "-1", "0", "1e309", "99999999999999999999", "512MB", "0B", "1TiB", "\u0000", "\uFFFF", "é", "\r\n", "\t"];

function mutate(text: string, next: () => number): string {
  let out = text;
  const edits = 1 + Math.floor(next() * 6);
  for (let i = 0; i < edits; i++) {
    const at = Math.floor(next() * (out.length + 1));
    const kind = Math.floor(next() * 4);
    if (kind === 0) out = out.slice(0, at) + out.slice(at + 1 + Math.floor(next() * 20)); // delete
    else if (kind === 1) out = out.slice(0, at) + TOKENS[Math.floor(next() * TOKENS.length)] + out.slice(at); // insert a token
    else if (kind === 2) out = out.slice(0, at) + String.fromCharCode(Math.floor(next() * 0x3000)) + out.slice(at + 1); // replace a character
    else out = out.slice(0, at) + out.slice(Math.max(0, at - 40), at) + out.slice(at); // repeat a stretch
  }
  return out;
}

function garbage(next: () => number): Uint8Array {
  return Uint8Array.from({ length: Math.floor(next() * 2048) }, () => Math.floor(next() * 256));
}

const VALUES = ["", "0", "-1", "1", "2", "3.5", "1e309", "NaN", "99999999999999999999", "512MB", "1KB", "0B", "none", "mema", "linear,bulk", "masa,nope", ",", "rpi4", "x=1", "a=b=c", "ledger", "edgecaffe", "--json"];
const POLICIES = ["linear", "bulk", "partial", "mema", "masa", "deepeye", "nope"];

function pick<T>(list: readonly T[], next: () => number): T {
  return list[Math.floor(next() * list.length)]!;
}

/** A command line over FILE: a command, then random flags of its real flag set (outputs into `out`). */
function commandLine(file: string, out: string, next: () => number): string[] {
  const command = pick(["check", "check", "fmt", "fmt", "plan", "run", "run", "compare"], next);
  const args = [command, file];
  const flags: Record<string, () => string[]> = {
    check: () => [pick([["--set", `${pick(["budget", "n", "x"], next)}=${pick(VALUES, next)}`], ["--bogus"], []], next)].flat(),
    fmt: () => pick([["--check"], [], ["--check", "--write"], ["--nope"]], next),
    plan: () => pick([["--json"], ["--set", `budget=${pick(VALUES, next)}`], []], next),
    run: () => {
      const extra: string[] = ["--simulate"];
      const count = Math.floor(next() * 4);
      for (let i = 0; i < count; i++) {
        const flag = pick(["--policy", "--memory", "--workers", "--seed", "--profile", "--admission", "--session-overhead", "--pipeline", "--set", "--json", "--csv", "--timeline"], next);
        let value = pick(VALUES, next);
        if (flag === "--policy") value = pick(POLICIES, next);
        if (flag === "--json") value = join(out, pick(["r.json", "d/r.json", "d/e/r.json"], next));
        if (flag === "--csv") value = join(out, pick(["csv", "a/b/csv"], next));
        if (flag === "--timeline") value = join(out, pick(["t.svg", "t.html", "t.png"], next));
        extra.push(flag, value);
      }
      return extra;
    },
  };
  flags.compare = () => flags.run!().map((a) => (a === "--policy" ? "--policies" : a));
  return [...args, ...flags[command]!()];
}

interface Outcome {
  argv: string[];
  code: number | null;
  signal: NodeJS.Signals | null;
  out: number;
  err: string;
  timedOut: boolean;
}

/**
 * Under Node the package's own entry (bin/mema.js: the build, or the sources through tsx resolved from the
 * package), since the test runner's `--import tsx` does not resolve from the case's folder; Bun and Deno
 * run bin/mema.ts.
 */
function commandFor(argv: string[]): string[] {
  return currentRuntime() === "node" ? [process.execPath, join(root, "bin/mema.js"), ...argv] : sameRuntimeCommand(bin, argv);
}

function runCli(argv: string[], cwd: string): Promise<Outcome> {
  const [command, ...rest] = commandFor(argv);
  const child = spawn(command!, rest, { cwd, stdio: ["ignore", "pipe", "pipe"] });
  let out = 0;
  let err = "";
  let timedOut = false;
  child.stdout.on("data", (d: Buffer) => void (out += d.length));
  child.stderr.on("data", (d: Buffer) => void (err.length < OUTPUT_LIMIT && (err += d)));
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill("SIGKILL");
  }, TIME_LIMIT_MS);
  return new Promise((resolve) =>
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ argv, code, signal, out, err, timedOut });
    }),
  );
}

/** Every file under `dir`, relative. */
function listing(dir: string): string[] {
  return readdirSync(dir, { recursive: true }).map(String).sort();
}

test(`fuzz: broken files and random flags end cleanly (seed ${seed}, ${runs} runs)`, async (t) => {
  t.diagnostic(`MEMA_FUZZ_SEED=${seed}`);
  const next = random(seed);
  const work = mkdtempSync(join(tmpdir(), "mema-fuzz-"));
  const rootBefore = readdirSync(root).sort();
  const failures: string[] = [];
  try {
    const cases = Array.from({ length: runs }, (_, i) => {
      const dir = join(work, `case-${i}`);
      const out = join(dir, "out");
      mkdirSync(out, { recursive: true });
      const file = join(dir, pick(["in.mema", "in.mema", "in.yaml", "in.json"], next));
      if (next() < 0.2) writeFileSync(file, garbage(next));
      else writeFileSync(file, mutate(pick(examples, next), next));
      return { dir, file, argv: commandLine(file, out, next) };
    });
    // Two at a time: the machine's cores are shared.
    for (let i = 0; i < cases.length; i += 2) {
      const batch = cases.slice(i, i + 2);
      const inputs = batch.map((c) => readFileSync(c.file));
      const outcomes = await Promise.all(batch.map((c) => runCli(c.argv, c.dir)));
      outcomes.forEach((o, k) => {
        const c = batch[k]!;
        const what = `mema ${o.argv.join(" ")}`;
        const problems: string[] = [];
        if (o.timedOut) problems.push(`did not end within ${TIME_LIMIT_MS} ms`);
        else if (o.code === null || ![0, 1, 2, 130].includes(o.code)) problems.push(`exit ${o.code ?? o.signal}`);
        if (/^\s+at /m.test(o.err) || /terminate called|Napi::Error/.test(o.err)) problems.push(`stack trace: ${o.err.slice(0, 600)}`);
        if (o.out + o.err.length > OUTPUT_LIMIT) problems.push(`output of ${o.out + o.err.length} bytes`);
        // Only its own output folder (and, with fmt --write, its input in place) may change.
        const stray = listing(c.dir).filter((f) => f !== "out" && !f.startsWith("out/") && join(c.dir, f) !== c.file);
        if (stray.length > 0) problems.push(`wrote ${stray.join(", ")}`);
        if (!o.argv.includes("--write") && !readFileSync(c.file).equals(inputs[k]!)) problems.push("changed its input");
        if (problems.length > 0) failures.push(`${what}\n  ${problems.join("\n  ")}\n  input: ${c.file}`);
      });
    }
    assert.deepEqual(readdirSync(root).sort(), rootBefore, "nothing written into the checkout");
    assert.deepEqual(failures, [], `MEMA_FUZZ_SEED=${seed}:\n${failures.join("\n")}`);
  } finally {
    // Failing inputs are kept for a look when a run fails; otherwise all goes.
    if (failures.length === 0) rmSync(work, { recursive: true, force: true });
    else t.diagnostic(`failing inputs kept in ${work}`);
  }
});
