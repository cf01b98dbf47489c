// Hostile inputs through the CLI (issue 9): devices, FIFOs and huge files as FILE or import, bounded output
// for garbage, the --workers bound. Each mistake is one line (or bounded diagnostics), never a hang or a crash.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MAX_SOURCE_BYTES } from "../../lang/limits.ts";
import { assertOneLineErrors, mema } from "./run-cli.ts";

function withDir(body: (dir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), "mema-hostile-"));
    try {
      await body(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

test("FILE must be a regular file under the size cap: one line for a device, a FIFO, a huge file", withDir(async (dir) => {
  const big = join(dir, "big.mema");
  writeFileSync(big, "#".repeat(MAX_SOURCE_BYTES + 1));
  const cases: [string[], RegExp][] = [
    [["check", big], /^mema check: error\[E_FILE\]: cannot read '.*big\.mema': it is larger than 4 MiB/],
    [["fmt", big], /^mema fmt: error\[E_FILE\]: cannot read '.*big\.mema': it is larger than 4 MiB/],
  ];
  if (existsSync("/dev/zero")) cases.push([["check", "/dev/zero"], /cannot read '\/dev\/zero': it is not a regular file \(a device\)/]);
  const fifo = join(dir, "pipe.mema");
  if (spawnSync("mkfifo", [fifo]).status === 0) {
    cases.push([["check", fifo], /it is not a regular file \(a FIFO\)/], [["fmt", fifo], /it is not a regular file \(a FIFO\)/]);
  }
  await assertOneLineErrors(cases);
}));

test("an import of a device or FIFO is a positioned error, not a hang", withDir(async (dir) => {
  const fifo = join(dir, "pipe.mema");
  const hasFifo = spawnSync("mkfifo", [fifo]).status === 0;
  const main = join(dir, "main.mema");
  writeFileSync(main, `import "/dev/zero";\n${hasFifo ? 'import "pipe.mema";\n' : ""}pipeline < model agenet; >\n`);
  const r = await mema("check", main);
  assert.equal(r.code, 1);
  if (existsSync("/dev/zero")) assert.match(r.err, /main\.mema:1:8: error\[E_IMPORT_NOT_FOUND\]: cannot import '\/dev\/zero': \/dev\/zero is not a regular file \(a device\)/);
  if (hasFifo) assert.match(r.err, /main\.mema:2:8: error\[E_IMPORT_NOT_FOUND\]: cannot import 'pipe\.mema': .*pipe\.mema is not a regular file \(a FIFO\)/);
}));

test("mema check and fmt on garbage: at most 100 diagnostics, a count, escaped", withDir(async (dir) => {
  let a = 5;
  const bytes = new Uint8Array(300_000).map(() => (a = (Math.imul(a, 1664525) + 1013904223) >>> 0) >>> 24);
  const file = join(dir, "garbage.mema");
  writeFileSync(file, bytes);
  for (const command of ["check", "fmt"]) {
    const r = await mema(command, file);
    assert.equal(r.code, 1);
    assert.ok(r.err.length < 100_000, `${command}: ${r.err.length} characters`);
    assert.ok((r.err.match(/: error\[/g) ?? []).length <= 100);
    assert.match(r.err, /garbage\.mema: \d+ more errors not shown\n$/);
    assert.doesNotMatch(r.err, /[\x00-\x08\x0b-\x1f\x7f]/);
    assert.doesNotMatch(r.err, /E_INTERNAL/);
  }
}));

test("--workers is bounded as the language's workers are", withDir(async (dir) => {
  const file = join(dir, "p.mema");
  writeFileSync(file, "pipeline < model agenet; >\n");
  await assertOneLineErrors([
    [["run", file, "--simulate", "--workers", "1e9"], /error\[E_OPTION\]: --workers 1000000000: at most 64 workers/],
    [["run", file, "--simulate", "--workers", "1,65"], /error\[E_OPTION\]: --workers 65: at most 64 workers/],
  ]);
}));

test("a flag value or file name with ESC and control characters is echoed escaped, on one line", withDir(async (dir) => {
  const title = "\x1b]0;owned\x07";
  const named = join(dir, `${title}\n.mema`);
  writeFileSync(named, "pipeline < model agenet; >\n");
  const cases: [string[], RegExp][] = [
    [["check", join(dir, `missing${title}.mema`)], /^mema check: error\[E_FILE\]: cannot read '.*missing\\x1b\]0;owned\\x07\.mema': no such file$/],
    [["run", named, "--simulate", "--memory", `12${title}`], /^mema run: error\[E_UNIT\]: .*12\\x1b\]0;owned\\x07/],
    [["run", named, "--simulate", "--policy", `x\x1b[2J`], /^mema run: error\[E_POLICY\]: .*x\\x1b\[2J/],
    [["run", named, `--x\x1b[31m`], /^mema run: error\[E_OPTION\]: Unknown option '--x\\x1b\[31m'/],
    [["layers", `m\x1b[31m.onnx`], /^mema layers: error\[\w+\]: .*m\\x1b\[31m\.onnx/],
    [[`r\x1bun`], /^mema: unknown command 'r\\x1bun'/],
  ];
  for (const [argv, pattern] of cases) {
    const r = await mema(...argv);
    assert.ok(r.code === 1 || r.code === 2, `${JSON.stringify(argv)}: exit ${r.code}`);
    assert.doesNotMatch(r.err, /[\x00-\x08\x0b-\x1f\x7f]/, JSON.stringify(r.err));
    assert.equal(r.err.trimEnd().split("\n").length, 1, JSON.stringify(r.err));
    assert.match(r.err.trimEnd(), pattern);
  }
  // A name that is fine to show (its newline escaped) when the file is clean.
  const ok = await mema("check", named);
  assert.equal(ok.code, 0, ok.err);
  assert.match(ok.out, /\\x1b\]0;owned\\x07\\x0a\.mema: ok\n$/);
}));
