// The progress bar: drawn on a terminal only, counts steps and networks, ends its line.
import assert from "node:assert/strict";
import { test } from "node:test";
import { createProgress, progressLine } from "../../../runtime/report/progress.ts";

function recorder(isTTY: boolean, columns?: number) {
  const chunks: string[] = [];
  return { chunks, stream: { isTTY, columns, write: (text: string) => void chunks.push(text) } };
}

test("the line: bar, steps of total, percent, networks, elapsed", () => {
  const line = progressLine({ stepsDone: 412, total: 915, networksDone: 6, networks: 15, elapsedMs: 3200 }, 80);
  assert.equal(line, "[#############..................] 412/915 steps ·  45% · 6/15 networks · 3.20 s");
  assert.ok(line.length < 80);
  assert.equal(progressLine({ stepsDone: 0, total: 0, networksDone: 0, elapsedMs: 5 }, 20), "[##########] 0/0 steps · 100% · 5.0 ms");
});

test("nothing at all when the stream is not a terminal, or when quiet", () => {
  for (const [isTTY, quiet] of [[false, false], [true, true]] as const) {
    const { chunks, stream } = recorder(isTTY);
    const progress = createProgress({ total: 10, stream, quiet, tickMs: 0 });
    progress.step(5);
    progress.networkDone();
    progress.finish();
    assert.equal(progress.enabled, false);
    assert.deepEqual(chunks, []);
  }
});

test("on a terminal: redraws in place as steps and networks finish, then ends the line", () => {
  const { chunks, stream } = recorder(true, 100);
  let clock = 1000;
  const progress = createProgress({ total: 4, networks: 2, stream, now: () => clock, tickMs: 0, redrawMs: 50 });
  assert.equal(progress.enabled, true);
  clock += 100;
  progress.step();
  progress.step(); // within 50 ms of the last draw: not redrawn
  clock += 100;
  progress.networkDone();
  progress.step(2); // the last step always draws
  progress.finish();
  progress.step(); // after finish: ignored
  const text = chunks.join("");
  assert.ok(chunks.every((c) => c.startsWith("\r") || c === "\n"));
  assert.match(chunks[0] ?? "", /^\r\[\.+\] 0\/4 steps ·   0% · 0\/2 networks · 0 ms\x1b\[K$/);
  assert.match(chunks[1] ?? "", / 1\/4 steps ·  25% · 0\/2 networks · 100 ms/);
  assert.match(chunks[2] ?? "", / 2\/4 steps ·  50% · 1\/2 networks · 200 ms/);
  assert.match(chunks[3] ?? "", / 4\/4 steps · 100% · 1\/2 networks · 200 ms/);
  assert.ok(text.endsWith("\n"));
  assert.equal(chunks.length, 6);
});

test("the elapsed time ticks on its own, and the timer stops at finish", async () => {
  const { chunks, stream } = recorder(true);
  const progress = createProgress({ total: 3, stream, tickMs: 5 });
  await new Promise((resolve) => setTimeout(resolve, 40));
  progress.finish();
  const count = chunks.length;
  assert.ok(count >= 3, `${count} draws`);
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(chunks.length, count);
});

test("update() takes the executor's absolute counts and totals", () => {
  const { chunks, stream } = recorder(true);
  let clock = 0;
  const progress = createProgress({ total: 1, stream, now: () => clock, tickMs: 0 });
  clock = 500;
  progress.update({ stepsDone: 3, stepsTotal: 10, networksDone: 1, networksTotal: 4 });
  progress.finish();
  assert.match(chunks[1] ?? "", / 3\/10 steps ·  30% · 1\/4 networks · 500 ms/);
  const silent = createProgress({ total: 1, stream: { write: () => assert.fail("drew when not a TTY") } });
  silent.update({ stepsDone: 1 });
  silent.finish();
});
