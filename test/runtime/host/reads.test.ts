// Loads that load, frees that free: a load step reads its layer's weights from storage before creating the
// session, so that the exec reads nothing; a free drops those bytes from the page cache again. Measured with
// the kernel's own count of bytes read (per thread, /proc/thread-self/io) on a cold file. The page cache is
// made cold for these files with the same call the worker uses after a free (no root needed).
import { test } from "node:test";
import assert from "node:assert/strict";
import { dropRanges, readRanges, releaseStartupCode, threadReadBytes } from "../../../runtime/host/native.mjs";
import { rssBytes } from "../../../runtime/host/rss.ts";
import { SessionPool } from "../../../runtime/host/workers.ts";
import { splitModel } from "../../../runtime/model/split.ts";
import { syntheticTensor } from "../../../runtime/execute/tensors.ts";
import { zooModelPath } from "../../../stdlib/zoo/index.ts";
import { useTempCache } from "../model/graph-builder.ts";

useTempCache();
const counted = threadReadBytes() !== null && dropRanges([]);

/** GenderNet's fc6 (its largest layer) and a one-worker pool to load and run it on; the caller closes the pool. */
async function gendernetFc6() {
  const split = await splitModel(await zooModelPath("gendernet"), { name: "gendernet" });
  const pool = await SessionPool.open(1);
  const layer = split.layers.find((l) => l.name === "fc6")!;
  const settings = { intraOpNumThreads: 1, disablePrepacking: true };
  const input = layer.inputs[0]!;
  const run = (session: string) => pool.exec(0, session, { [input.name]: { tensor: syntheticTensor("float32", input.shape, 1) } }, { [layer.outputs[0]!.name]: "return" });
  /** Loads fc6 as session "fc6" from a cold page cache and checks that the load read its weights. */
  const loadCold = async () => {
    // One run first, so that onnxruntime's own code for this kernel is in memory (a cold cache has it read
    // on first use): what is measured after is the weights alone.
    await pool.load(0, "warm", layer.path!, settings, layer.reads!);
    await run("warm");
    await pool.free(0, "warm");
    for (const l of split.layers) dropRanges(l.reads!);
    const load = await pool.load(0, "fc6", layer.path!, settings, layer.reads!);
    assert.ok(load.value.readBytes! >= layer.weightsBytes * 0.99, `load read ${load.value.readBytes} of ${layer.weightsBytes} weight bytes`);
  };
  return { split, pool, layer, settings, run, loadCold };
}

test("readRanges reads exactly the ranges from storage (no readahead past them); dropRanges makes them cold again", { skip: !counted && "no per-thread read counts or posix_fadvise here" }, async () => {
  const split = await splitModel(await zooModelPath("agenet"), { name: "agenet" });
  const fc6 = split.layers.find((l) => l.name === "fc6")!;
  assert.ok(dropRanges(fc6.reads!));
  const wanted = fc6.reads!.reduce((n, r) => n + r.length, 0);
  const before = threadReadBytes()!;
  readRanges(fc6.reads!);
  const read = threadReadBytes()! - before;
  // Whole pages: at most one extra page at each end of each range.
  assert.ok(read >= wanted - 4096 * fc6.reads!.length && read <= wanted + 2 * 4096 * fc6.reads!.length, `read ${read} for ${wanted} bytes`);
  const again = threadReadBytes()!;
  readRanges(fc6.reads!);
  assert.equal(threadReadBytes()! - again, 0, "in the page cache now");
  assert.ok(dropRanges(fc6.reads!));
  const third = threadReadBytes()!;
  readRanges(fc6.reads!);
  assert.ok(threadReadBytes()! - third >= wanted - 4096 * fc6.reads!.length, "dropped: read from storage again");
  dropRanges(fc6.reads!);
});

test("a worker's load reads its weights, its exec reads nothing, its free drops them", { skip: !counted && "no per-thread read counts or posix_fadvise here" }, async () => {
  const { pool, layer, settings, run, loadCold } = await gendernetFc6();
  try {
    await loadCold();
    const exec = await run("fc6");
    assert.equal(exec.value.readBytes, 0, "the exec found every weight in memory");
    await pool.free(0, "fc6");
    const reload = await pool.load(0, "fc6", layer.path!, settings, layer.reads!);
    assert.ok(reload.value.readBytes! >= layer.weightsBytes * 0.99, `after the free the weights were read again (${reload.value.readBytes})`);
    await pool.free(0, "fc6");
  } finally {
    await pool.close();
  }
});

test("a load maps the pages it read into its session: dropping unmapped cache before the exec takes none of them", { skip: !counted && "no per-thread read counts or posix_fadvise here" }, async () => {
  // Reclaim takes unmapped cached pages first, and onnxruntime touches mapped weights only in `run`: a unit
  // loaded but not yet executed lost pages to it (measured: DAMON's proactive reclaim, 2.3-3.9 MB read again
  // by the exec). posix_fadvise(DONTNEED) drops exactly the unmapped pages, as that reclaim would.
  const { pool, layer, run, loadCold } = await gendernetFc6();
  try {
    await loadCold();
    assert.ok(dropRanges(layer.reads!));
    const exec = await run("fc6");
    assert.equal(exec.value.readBytes, 0, "the dropped cache held none of the loaded unit's pages");
    await pool.free(0, "fc6");
  } finally {
    await pool.close();
  }
});

test("start-up code leaves the resident set, and what runs after faults back in and answers the same", { skip: process.platform !== "linux" && "Linux only" }, async () => {
  const { pool, layer, settings, run } = await gendernetFc6();
  try {
    const answer = async () => {
      await pool.load(0, "fc6", layer.path!, settings, layer.reads!);
      const out = await run("fc6");
      await pool.free(0, "fc6");
      return [...(Object.values(out.value.outputs)[0]!.data as Float32Array)];
    };
    const before = await answer(); // onnxruntime's first session: its kernel registry's code is paged in
    const rss = rssBytes();
    const advised = releaseStartupCode();
    assert.ok(advised > 8 << 20, `advised ${advised} bytes of code`);
    assert.ok(rssBytes() < rss - (8 << 20), `RSS ${rss} -> ${rssBytes()}`);
    assert.deepEqual(await answer(), before);
  } finally {
    await pool.close();
  }
});
