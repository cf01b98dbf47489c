// The session worker pool on real models: overlap across workers, transfer without copies, release.
import { test } from "node:test";
import assert from "node:assert/strict";
import { SessionPool, clockMs } from "../../../runtime/host/workers.ts";
import { outputDigest, syntheticTensor, copyTensor } from "../../../runtime/execute/tensors.ts";
import { CLS, DET } from "./ocr-models.ts";

const OPTIONS = { enableCpuMemArena: false, enableMemPattern: false, intraOpNumThreads: 1 };

test("two workers create and run sessions at the same time, and the main thread stays free", async () => {
  const pool = await SessionPool.open(2);
  try {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const started = clockMs();
    const [a, b] = await Promise.all([0, 1].map((w) => pool.load(w, "det", DET.path, OPTIONS)));
    const input = syntheticTensor("float32", DET.shape, 1);
    const [x, y] = await Promise.all(
      [0, 1].map((w) => pool.exec(w, "det", { [DET.input]: { tensor: copyTensor(input) } }, { [DET.output]: "return" })),
    );
    const wallMs = clockMs() - started;
    clearInterval(timer);
    const overlap = (p: { startMs: number; endMs: number }, q: { startMs: number; endMs: number }) =>
      Math.min(p.endMs, q.endMs) - Math.max(p.startMs, q.startMs);
    // Each worker's clock brackets its own work: intersecting intervals mean both ran at once.
    assert.ok(overlap(a!, b!) > 0, `loads overlap: [${a!.startMs}, ${a!.endMs}] and [${b!.startMs}, ${b!.endMs}]`);
    assert.ok(overlap(x!, y!) > 0, `runs overlap: [${x!.startMs}, ${x!.endMs}] and [${y!.startMs}, ${y!.endMs}]`);
    // The main thread's timers kept firing while onnxruntime worked (at least one tick per ~10 ms).
    assert.ok(ticks >= wallMs / 10, `${ticks} timer ticks in ${wallMs.toFixed(0)} ms`);
    // Same session, same input: the same bits from both workers.
    assert.equal(await outputDigest(x!.value.outputs), await outputDigest(y!.value.outputs));
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
