// ONNX tensor element types: onnxruntime's names for them and their sizes in bytes.
import { TensorProto_DataType as DataType } from "onnx-buf";

export { DataType };

interface DtypeFacts {
  /** onnxruntime-node's tensor type name. */
  name: string;
  /** Bytes per element; 0 for strings (variable length). */
  bytes: number;
  floating: boolean;
}

const FACTS: Partial<Record<number, DtypeFacts>> = {
  [DataType.FLOAT]: { name: "float32", bytes: 4, floating: true },
  [DataType.UINT8]: { name: "uint8", bytes: 1, floating: false },
  [DataType.INT8]: { name: "int8", bytes: 1, floating: false },
  [DataType.UINT16]: { name: "uint16", bytes: 2, floating: false },
  [DataType.INT16]: { name: "int16", bytes: 2, floating: false },
  [DataType.INT32]: { name: "int32", bytes: 4, floating: false },
  [DataType.INT64]: { name: "int64", bytes: 8, floating: false },
  [DataType.STRING]: { name: "string", bytes: 0, floating: false },
  [DataType.BOOL]: { name: "bool", bytes: 1, floating: false },
  [DataType.FLOAT16]: { name: "float16", bytes: 2, floating: true },
  [DataType.DOUBLE]: { name: "float64", bytes: 8, floating: true },
  [DataType.UINT32]: { name: "uint32", bytes: 4, floating: false },
  [DataType.UINT64]: { name: "uint64", bytes: 8, floating: false },
  [DataType.BFLOAT16]: { name: "bfloat16", bytes: 2, floating: true },
};

export function dtypeFacts(dataType: number): DtypeFacts {
  return FACTS[dataType] ?? { name: `onnx-type-${dataType}`, bytes: 0, floating: false };
}

/** onnxruntime's type name ("float32", ...) back to the ONNX enum value; undefined when unknown. */
export function dataTypeOfName(name: string): number | undefined {
  for (const [key, facts] of Object.entries(FACTS)) if (facts?.name === name) return Number(key);
  return undefined;
}

export function elementCount(shape: readonly number[]): number {
  let count = 1;
  for (const dim of shape) count *= dim;
  return count;
}

export function tensorBytes(dataType: number, shape: readonly number[]): number {
  return dtypeFacts(dataType).bytes * elementCount(shape);
}
