// A TensorProto's values as little-endian bytes (raw_data, or the typed repeated fields), and slicing them.
import type { TensorProto } from "onnx-buf";
import { DataType, dtypeFacts } from "./dtypes.ts";

/** Bytes of a tensor held in the proto itself; undefined when it holds none (external or weightless). */
export function tensorDataBytes(tensor: TensorProto): Uint8Array | undefined {
  if (tensor.rawData.length > 0) return tensor.rawData;
  const facts = dtypeFacts(tensor.dataType);
  const count = tensor.dims.reduce((n, d) => n * Number(d), 1);
  if (count === 0) return new Uint8Array(0);
  const out = new Uint8Array(count * facts.bytes);
  const view = new DataView(out.buffer);
  const fill = <T>(values: T[], write: (i: number, v: T) => void) => {
    if (values.length !== count) return false;
    values.forEach((v, i) => write(i, v));
    return true;
  };
  switch (tensor.dataType) {
    case DataType.FLOAT:
      return fill(tensor.floatData, (i, v) => view.setFloat32(i * 4, v, true)) ? out : undefined;
    case DataType.DOUBLE:
      return fill(tensor.doubleData, (i, v) => view.setFloat64(i * 8, v, true)) ? out : undefined;
    case DataType.INT64:
      return fill(tensor.int64Data, (i, v) => view.setBigInt64(i * 8, v, true)) ? out : undefined;
    case DataType.UINT32:
    case DataType.UINT64:
      return fill(tensor.uint64Data, (i, v) =>
        facts.bytes === 8 ? view.setBigUint64(i * 8, v, true) : view.setUint32(i * 4, Number(v), true),
      ) ? out : undefined;
    case DataType.INT32:
    case DataType.INT16:
    case DataType.INT8:
    case DataType.UINT16:
    case DataType.UINT8:
    case DataType.BOOL:
    case DataType.FLOAT16:
    case DataType.BFLOAT16:
      // These travel in int32_data, one element per entry (float16/bfloat16 as their bit patterns).
      return fill(tensor.int32Data, (i, v) => {
        if (facts.bytes === 4) view.setInt32(i * 4, v, true);
        else if (facts.bytes === 2) view.setUint16(i * 2, v & 0xffff, true);
        else view.setUint8(i, v & 0xff);
      }) ? out : undefined;
    default:
      return undefined;
  }
}

/** The part [start, end) along `axis` of a row-major tensor's bytes. */
export function sliceBytes(bytes: Uint8Array, dims: number[], elementBytes: number, axis: number, start: number, end: number): Uint8Array {
  const outer = dims.slice(0, axis).reduce((n, d) => n * d, 1);
  const inner = dims.slice(axis + 1).reduce((n, d) => n * d, 1) * elementBytes;
  const rowBytes = dims[axis]! * inner;
  const take = (end - start) * inner;
  const out = new Uint8Array(outer * take);
  for (let o = 0; o < outer; o++) out.set(bytes.subarray(o * rowBytes + start * inner, o * rowBytes + start * inner + take), o * take);
  return out;
}

/** True when a slice along `axis` is one contiguous byte range (every dim before it is 1). */
export function sliceIsContiguous(dims: number[], axis: number): boolean {
  return dims.slice(0, axis).every((d) => d === 1);
}
