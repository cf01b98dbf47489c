// Seeded input values for verifying and profiling a model: the same numbers on every run and runtime.
import { mulberry32 } from "../schedule/random.ts";
import { ModelError } from "./errors.ts";
import type { TensorInfo } from "./types.ts";

export interface InputData {
  dtype: string;
  dims: number[];
  data: ArrayBufferView;
}

/** float16 bits of a number in [-1, 1) (round to nearest, normal range only: enough for test data). */
function float16Bits(value: number): number {
  if (value === 0) return 0;
  const sign = value < 0 ? 0x8000 : 0;
  const abs = Math.abs(value);
  if (abs < 2 ** -14) return sign | Math.round(abs / 2 ** -24);
  const exponent = Math.floor(Math.log2(abs));
  const mantissa = Math.min(1023, Math.round((abs / 2 ** exponent - 1) * 1024));
  return sign | ((exponent + 15) << 10) | mantissa;
}

/**
 * Values for each input in its own dtype: floats uniform in [-1, 1), integers in [0, 4) (small enough
 * to be valid indices and sizes), booleans half true.
 */
export function seededInputs(inputs: TensorInfo[], seed = 42): Record<string, InputData> {
  const random = mulberry32(seed);
  const result: Record<string, InputData> = {};
  for (const input of inputs) {
    const count = input.shape.reduce((n, d) => n * d, 1);
    const float = () => random() * 2 - 1;
    const small = () => Math.floor(random() * 4);
    let data: ArrayBufferView;
    switch (input.dtype) {
      case "float32": data = Float32Array.from({ length: count }, float); break;
      case "float64": data = Float64Array.from({ length: count }, float); break;
      case "float16": data = Uint16Array.from({ length: count }, () => float16Bits(float())); break;
      case "int8": data = Int8Array.from({ length: count }, small); break;
      case "uint8": data = Uint8Array.from({ length: count }, small); break;
      case "int16": data = Int16Array.from({ length: count }, small); break;
      case "uint16": data = Uint16Array.from({ length: count }, small); break;
      case "int32": data = Int32Array.from({ length: count }, small); break;
      case "uint32": data = Uint32Array.from({ length: count }, small); break;
      case "int64": data = BigInt64Array.from({ length: count }, () => BigInt(small())); break;
      case "uint64": data = BigUint64Array.from({ length: count }, () => BigInt(small())); break;
      case "bool": data = Uint8Array.from({ length: count }, () => (random() < 0.5 ? 1 : 0)); break;
      default: throw new ModelError(`cannot make seeded values for input '${input.name}' of type ${input.dtype}`, "E_INPUT");
    }
    result[input.name] = { dtype: input.dtype, dims: input.shape, data };
  }
  return result;
}
