// The cache folders: the first use of a folder in a process removes the temporary files that a write killed
// mid-way (replaceFile's `.NAME.PID-N.tmp`) left there, and only those whose process is gone.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cacheDir, cachePath } from "../../../runtime/host/cache.ts";
import { processAlive } from "../../../runtime/host/write-file.ts";
import { useTempCache } from "../model/graph-builder.ts";

useTempCache();

/** A pid no process has now (pids near the top of the range are rarely in use). */
function deadPid(): number {
  for (let pid = 4_194_303; pid > 1000; pid--) if (!processAlive(pid)) return pid;
  throw new Error("no free pid found");
}

test("a cache folder's first use removes the temporary files of dead processes, and nothing else", () => {
  const dir = cachePath("layers", "sweep-test");
  mkdirSync(dir, { recursive: true });
  const dead = deadPid();
  const files = {
    deadWrite: `.0001-conv1.onnx.${dead}-0.tmp`,
    liveWrite: `.0002-fc6.onnx.${process.pid}-3.tmp`,
    layer: "0001-conv1.onnx",
    otherName: ".manifest.json.tmp",
  };
  for (const name of Object.values(files)) writeFileSync(join(dir, name), "x");
  assert.equal(cacheDir("layers", "sweep-test"), dir);
  assert.deepEqual(readdirSync(dir).sort(), [files.liveWrite, files.otherName, files.layer].sort());
});
