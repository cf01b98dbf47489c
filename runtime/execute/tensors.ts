// Inputs and answers of real runs: seeded synthetic input tensors, output digests, top-1.
import type { TensorData, TensorPayload } from "../host/session-protocol.ts";
import { mulberry32 } from "../schedule/random.ts";

const FLOAT_ARRAYS: Record<string, new (n: number) => TensorData> = {
  float32: Float32Array,
  float64: Float64Array,
};
const INT_ARRAYS: Record<string, new (n: number) => TensorData> = {
  int8: Int8Array,
  uint8: Uint8Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
  uint32: Uint32Array,
  bool: Uint8Array,
};

/**
 * A seeded synthetic input: floats uniform in [0, 255) (the pixel scale Caffe models take),
 * integers in [0, 2) (bool-safe). The same seed gives the same bytes on every runtime.
 */
export function syntheticTensor(dtype: string, dims: number[], seed: number): TensorPayload {
  const count = dims.reduce((a, b) => a * b, 1);
  const next = mulberry32(seed);
  const Float = FLOAT_ARRAYS[dtype];
  if (Float) {
    const data = new Float(count);
    for (let i = 0; i < count; i++) data[i] = next() * 255;
    return { dtype, dims: [...dims], data };
  }
  const Int = INT_ARRAYS[dtype];
  if (Int) {
    const data = new Int(count);
    for (let i = 0; i < count; i++) data[i] = next() < 0.5 ? 0 : 1;
    return { dtype, dims: [...dims], data };
  }
  if (dtype === "int64" || dtype === "uint64") {
    const data = dtype === "int64" ? new BigInt64Array(count) : new BigUint64Array(count);
    for (let i = 0; i < count; i++) data[i] = next() < 0.5 ? 0n : 1n;
    return { dtype, dims: [...dims], data };
  }
  throw new Error(`no synthetic input for tensor type '${dtype}'`);
}

/** A copy that can be transferred away while the original stays usable. */
export function copyTensor(tensor: TensorPayload): TensorPayload {
  return { dtype: tensor.dtype, dims: [...tensor.dims], data: tensor.data.slice() as TensorData };
}

/**
 * SHA-256 (hex) over the outputs in name order: name, dtype, dims and raw bytes of each.
 * Equal digests mean bit-identical outputs.
 */
export async function outputDigest(outputs: Record<string, TensorPayload>): Promise<string> {
  const encoder = new TextEncoder();
  const parts: Uint8Array[] = [];
  for (const name of Object.keys(outputs).sort()) {
    const tensor = outputs[name]!;
    parts.push(encoder.encode(`${name}\0${tensor.dtype}\0${tensor.dims.join(",")}\0`));
    parts.push(new Uint8Array(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength));
  }
  const total = parts.reduce((sum, part) => sum + part.byteLength, 0);
  const joined = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.byteLength;
  }
  const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", joined));
  return Array.from(hash, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Index of the largest element (first on ties): a classifier's answer. */
export function top1(tensor: TensorPayload): number {
  const data = tensor.data;
  let best = 0;
  for (let i = 1; i < data.length; i++) if (data[i]! > data[best]!) best = i;
  return best;
}
