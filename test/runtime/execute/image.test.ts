// Image inputs: decoded by jimp, resized to the network's input, NCHW float32 in the network's channel order.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Jimp } from "jimp";
import { imageTensor, ImageInputError } from "../../../runtime/host/image.ts";

const dir = mkdtempSync(join(tmpdir(), "mema-image-"));
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));

test("a solid colour image becomes a [1,3,H,W] tensor, BGR minus the mean", async () => {
  const path = join(dir, "red.png");
  const image = new Jimp({ width: 40, height: 30, color: 0xff2010ff }); // r=255 g=32 b=16
  writeFileSync(path, await image.getBuffer("image/png"));
  const tensor = await imageTensor(path, { shape: [1, 3, 8, 6], channels: "bgr", mean: [10, 20, 30] });
  assert.deepEqual(tensor.dims, [1, 3, 8, 6]);
  assert.equal(tensor.data.length, 3 * 8 * 6);
  const plane = 8 * 6;
  assert.equal(tensor.data[0], 16 - 10, "channel 0 is blue");
  assert.equal(tensor.data[plane + 5], 32 - 20, "channel 1 is green");
  assert.equal(tensor.data[2 * plane + 47], 255 - 30, "channel 2 is red");
  const rgb = await imageTensor(path, { shape: [1, 3, 4, 4], channels: "rgb", scale: 1 / 255 });
  assert.equal(rgb.data[0], 1);
});

test("a missing or broken file, or a shape that is not an image, is a one-line error naming the file", async () => {
  await assert.rejects(imageTensor(join(dir, "nope.png"), { shape: [1, 3, 4, 4] }), (e: Error) => e instanceof ImageInputError && e.message.startsWith(join(dir, "nope.png")));
  const bad = join(dir, "bad.png");
  writeFileSync(bad, "not an image");
  await assert.rejects(imageTensor(bad, { shape: [1, 3, 4, 4] }), /bad\.png: cannot read the image/);
  await assert.rejects(imageTensor(bad, { shape: [1, 5, 4, 4] }), /wants \[1, 5, 4, 4\]/);
});
