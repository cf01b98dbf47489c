// readSource: only regular files, at most MAX_SOURCE_BYTES, never blocking on a FIFO or reading a device forever.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MAX_SOURCE_BYTES } from "../../../lang/limits.ts";
import { readSource } from "../../../runtime/host/files.ts";

test("a regular file is read; a missing one is undefined; a folder is refused", () => {
  const dir = mkdtempSync(join(tmpdir(), "mema-files-"));
  try {
    writeFileSync(join(dir, "a.mema"), "let x = 1;");
    assert.equal(readSource(join(dir, "a.mema")), "let x = 1;");
    assert.equal(readSource(join(dir, "missing.mema")), undefined);
    assert.deepEqual(readSource(dir), { problem: "not a regular file (a folder)" });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test(`a file over ${MAX_SOURCE_BYTES} bytes is refused as too large; one at the cap is read`, () => {
  const dir = mkdtempSync(join(tmpdir(), "mema-files-"));
  try {
    writeFileSync(join(dir, "at.mema"), "#".repeat(MAX_SOURCE_BYTES));
    writeFileSync(join(dir, "over.mema"), "#".repeat(MAX_SOURCE_BYTES + 1));
    assert.equal((readSource(join(dir, "at.mema")) as string).length, MAX_SOURCE_BYTES);
    const over = readSource(join(dir, "over.mema"));
    assert.ok(typeof over === "object" && over.tooLarge === true, JSON.stringify(over));
    assert.match(over.problem, /^larger than 4 MiB/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("devices and FIFOs are refused without being opened", { skip: !existsSync("/dev/zero") && "no /dev/zero here" }, () => {
  assert.deepEqual(readSource("/dev/zero"), { problem: "not a regular file (a device)" });
  const dir = mkdtempSync(join(tmpdir(), "mema-files-"));
  try {
    const fifo = join(dir, "pipe.mema");
    if (spawnSync("mkfifo", [fifo]).status !== 0) return; // no mkfifo: the device case stands alone
    assert.deepEqual(readSource(fifo), { problem: "not a regular file (a FIFO)" });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
