// The session worker pool on real models: overlap across workers, transfer without copies, release.
import { test } from "node:test";
import assert from "node:assert/strict";
import { SessionPool } from "../../../runtime/host/workers.ts";
import { outputDigest, syntheticTensor, copyTensor } from "../../../runtime/execute/tensors.ts";
import { CLS, DET } from "./ocr-models.ts";

const OPTIONS = { enableCpuMemArena: false, enableMemPattern: false, intraOpNumThreads: 1 };

/** Requests of one lane as its worker recorded them: [startMs, endMs] by the worker's own clock. */
type Span = { startMs: number; endMs: number };

/** A request of lane B that ran while one of lane A ran, by the workers' records; undefined when none did. */
function simultaneous(a: readonly Span[], b: readonly Span[]): [Span, Span] | undefined {
  for (const p of a) for (const q of b) if (q.startMs < p.endMs && p.startMs < q.endMs) return [p, q];
  return undefined;
}

const spans = (lane: readonly Span[]) => lane.map((s) => `[${s.startMs.toFixed(1)}, ${s.endMs.toFixed(1)}]`).join(" ");

test("two workers create and run sessions at the same time, and the main thread stays free", async () => {
  const pool = await SessionPool.open(2);
  try {
    // Several requests per lane, all sent at once: each worker works through its queue, so the lanes are busy
    // side by side for a while and a slow start of one worker (a loaded machine) cannot hide the overlap.
    // Overlap is judged on what the workers recorded, never on this thread's clock.
    const REQUESTS = 3;
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const loads = await Promise.all([0, 1].map((w) => Promise.all(Array.from({ length: REQUESTS }, (_, i) => pool.load(w, `det${i}`, DET.path, OPTIONS)))));
    const input = syntheticTensor("float32", DET.shape, 1);
    const execs = await Promise.all(
      [0, 1].map((w) =>
        Promise.all(Array.from({ length: REQUESTS }, (_, i) => pool.exec(w, `det${i}`, { [DET.input]: { tensor: copyTensor(input) } }, { [DET.output]: "return" }))),
      ),
    );
    clearInterval(timer);
    const lanes: [string, Span[][]][] = [["loads", loads], ["runs", execs]];
    for (const [what, [a, b]] of lanes) {
      assert.ok(a && b);
      for (const lane of [a, b]) {
        for (let i = 1; i < lane.length; i++) assert.ok(lane[i]!.startMs >= lane[i - 1]!.endMs, `${what}: a worker serves its requests in order: ${spans(lane)}`);
      }
      assert.ok(simultaneous(a, b), `${what} of the two workers overlap: lane 0 ${spans(a)}, lane 1 ${spans(b)}`);
    }
    // The main thread's timers fired while onnxruntime worked. Had it run on this thread, the awaits above
    // would have resumed (microtasks) before any timer: zero ticks.
    assert.ok(ticks > 0, "the main thread ran its timers while the workers worked");
    // Same session, same input: the same bits from both workers.
    const digests = await Promise.all(execs.flat().map((x) => outputDigest(x.value.outputs)));
    assert.equal(new Set(digests).size, 1);
  } finally {
    await pool.close();
  }
});

test("tensors move by transfer: the sender's buffer is detached, the receiver gets whole buffers", async () => {
  const pool = await SessionPool.open(1);
  try {
    await pool.load(0, "cls", CLS.path, OPTIONS);
    const input = syntheticTensor("float32", CLS.shape, 7);
    const kept = copyTensor(input);
    const elements = input.data.length;
    const ran = await pool.exec(0, "cls", { [CLS.input]: { tensor: input } }, { [CLS.output]: "return" });
    assert.equal(input.data.byteLength, 0, "the input's buffer moved to the worker");
    const out = ran.value.outputs[CLS.output]!;
    assert.deepEqual(out.dims, [1, 2]);
    assert.equal(out.data.buffer.byteLength, out.data.byteLength, "the output arrived as its own buffer");

    // put / take: a tensor held in the worker comes back bit for bit and leaves the worker.
    await pool.put(0, { a: kept });
    assert.equal(kept.data.byteLength, 0);
    assert.equal((await pool.stats(0)).value.heldBytes, elements * 4);
    const again = syntheticTensor("float32", CLS.shape, 7);
    const taken = (await pool.take(0, ["a"])).value.a!;
    assert.deepEqual(taken.data, again.data);
    assert.equal((await pool.stats(0)).value.heldTensors, 0);

    // A held input feeds an exec without crossing threads; the output can stay held too.
    await pool.put(0, { b: taken });
    const held = await pool.exec(0, "cls", { [CLS.input]: { held: "b" } }, { [CLS.output]: { hold: "out" } }, ["b"]);
    assert.deepEqual(held.value.held, { out: 8 });
    const stats = (await pool.stats(0)).value;
    assert.equal(stats.heldTensors, 1, "the input was dropped, the output is held");
    const back = (await pool.take(0, ["out"])).value;
    assert.equal(await outputDigest({ [CLS.output]: back.out! }), await outputDigest(ran.value.outputs));
  } finally {
    await pool.close();
  }
});

test("free releases the session; mistakes are one-line errors and the worker stays usable", async () => {
  const pool = await SessionPool.open(1);
  try {
    await pool.load(0, "cls", CLS.path, OPTIONS);
    assert.equal((await pool.stats(0)).value.sessions, 1);
    await pool.free(0, "cls");
    assert.equal((await pool.stats(0)).value.sessions, 0);
    await assert.rejects(
      pool.exec(0, "cls", { [CLS.input]: { tensor: syntheticTensor("float32", CLS.shape, 1) } }, { [CLS.output]: "return" }),
      /session 'cls' is not loaded in this worker/,
    );
    await assert.rejects(pool.load(0, "x", "/nonexistent/model.onnx", OPTIONS), /nonexistent\/model\.onnx/);
    await assert.rejects(pool.take(0, ["nope"]), /tensor 'nope' is not held/);
    await pool.load(0, "cls", CLS.path, OPTIONS);
    assert.equal((await pool.stats(0)).value.sessions, 1);
  } finally {
    await pool.close();
  }
  assert.throws(() => pool.stats(0), /closed/);
});
