// Image inputs: decode a file with jimp, resize it to the network's input shape, lay it out NCHW float32.
// jimp is imported when an image is read, not with this module: a run whose inputs are all seeded never loads
// it (measured under tsx: importing jimp costs ~20 MiB of RSS and ~400 ms).
import type { TensorPayload } from "./session-protocol.ts";

/** How a network wants its pixels: Caffe models take BGR minus a per-channel mean, 0..255 scale. */
export interface ImagePreprocess {
  /** [1, C, H, W] with C = 3 (colour) or 1 (grey). */
  shape: number[];
  /** Channel order of the tensor. Default "bgr" (Caffe). */
  channels?: "rgb" | "bgr";
  /** Subtracted per channel, in the tensor's channel order, on the 0..255 scale. Default none. */
  mean?: number[];
  /** Multiplied after the mean is subtracted. Default 1. */
  scale?: number;
}

/** The ImageNet mean Caffe's reference models subtract, BGR order. */
export const CAFFE_IMAGENET_MEAN_BGR = [104, 117, 123];

/** A one-line error naming the file (missing, not an image, wrong shape). */
export class ImageInputError extends Error {
  override name = "ImageInputError";
}

/** Decodes `path`, resizes it (bilinear, aspect not kept: Caffe's warp) and returns a [1,C,H,W] float32 tensor. */
export async function imageTensor(path: string, pre: ImagePreprocess): Promise<TensorPayload> {
  const [n, c, h, w] = pre.shape;
  if (pre.shape.length !== 4 || n !== 1 || (c !== 3 && c !== 1) || !(h! > 0) || !(w! > 0)) {
    throw new ImageInputError(`${path}: an image feeds a [1, 3|1, H, W] input, the network wants [${pre.shape.join(", ")}]`);
  }
  const { Jimp, ResizeStrategy } = await import("jimp");
  let image;
  try {
    image = await Jimp.read(path);
  } catch (error) {
    throw new ImageInputError(`${path}: cannot read the image (${(error as Error).message.split("\n")[0]})`);
  }
  image.resize({ w: w!, h: h!, mode: ResizeStrategy.BILINEAR });
  const rgba = image.bitmap.data;
  const plane = h! * w!;
  const data = new Float32Array(c! * plane);
  const order = c === 1 ? [-1] : (pre.channels ?? "bgr") === "bgr" ? [2, 1, 0] : [0, 1, 2];
  const scale = pre.scale ?? 1;
  for (let ch = 0; ch < c!; ch++) {
    const src = order[ch]!;
    const mean = pre.mean?.[ch] ?? 0;
    for (let p = 0; p < plane; p++) {
      const value =
        src === -1 ? 0.299 * rgba[p * 4]! + 0.587 * rgba[p * 4 + 1]! + 0.114 * rgba[p * 4 + 2]! : rgba[p * 4 + src]!;
      data[ch * plane + p] = (value - mean) * scale;
    }
  }
  return { dtype: "float32", dims: [1, c!, h!, w!], data };
}
