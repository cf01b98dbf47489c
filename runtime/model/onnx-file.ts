// Reads and writes ONNX ModelProto bytes (onnx-buf), and finds where each weight's raw bytes sit in the file.
import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { type ModelProto, ModelProtoSchema } from "onnx-buf";
import { ModelError } from "./errors.ts";

/** Where a tensor's raw_data payload sits inside a file: byte offset and length. */
export interface ByteRange {
  offset: number;
  length: number;
}

/** Decodes a model; `where` (a path) names the file in the one-line error for corrupt bytes. */
export function decodeModel(bytes: Uint8Array, where: string): ModelProto {
  let model: ModelProto;
  try {
    model = fromBinary(ModelProtoSchema, bytes);
  } catch (error) {
    throw new ModelError(
      `${where}: not a valid ONNX model (truncated or corrupt protobuf: ${(error as Error).message})`,
      "E_MODEL_FILE",
    );
  }
  if (!model.graph || model.graph.node.length === 0) {
    throw new ModelError(`${where}: not a valid ONNX model (no graph or no nodes)`, "E_MODEL_FILE");
  }
  return model;
}

export function encodeModel(model: ModelProto): Uint8Array {
  return toBinary(ModelProtoSchema, model);
}

/** Offsets of raw_data payloads in a model file: graph initializers by name, Constant node tensors by node index. */
export interface RawDataOffsets {
  initializers: Map<string, ByteRange>;
  constants: Map<number, ByteRange>;
}

// Field numbers from onnx.proto.
const MODEL_GRAPH = 7;
const GRAPH_NODE = 1;
const GRAPH_INITIALIZER = 5;
const NODE_ATTRIBUTE = 5;
const ATTRIBUTE_NAME = 1;
const ATTRIBUTE_T = 5;
const TENSOR_NAME = 8;
const TENSOR_RAW_DATA = 9;

interface Field {
  number: number;
  /** For length-delimited fields: payload start and end; else the field's end. */
  start: number;
  end: number;
  lengthDelimited: boolean;
}

/**
 * Walks the protobuf wire format (without decoding tensors) to find each raw_data payload's offset,
 * so a layer's external data can point into the original file instead of copying its bytes.
 */
export function scanRawData(bytes: Uint8Array, where: string): RawDataOffsets {
  const initializers = new Map<string, ByteRange>();
  const constants = new Map<number, ByteRange>();
  const decoder = new TextDecoder();
  try {
    for (const modelField of fields(bytes, 0, bytes.length)) {
      if (modelField.number !== MODEL_GRAPH || !modelField.lengthDelimited) continue;
      let nodeIndex = 0;
      for (const graphField of fields(bytes, modelField.start, modelField.end)) {
        if (graphField.number === GRAPH_INITIALIZER && graphField.lengthDelimited) {
          const tensor = tensorFields(bytes, graphField.start, graphField.end, decoder);
          if (tensor.raw) initializers.set(tensor.name, tensor.raw);
        } else if (graphField.number === GRAPH_NODE && graphField.lengthDelimited) {
          for (const nodeField of fields(bytes, graphField.start, graphField.end)) {
            if (nodeField.number !== NODE_ATTRIBUTE || !nodeField.lengthDelimited) continue;
            let name = "";
            let raw: ByteRange | undefined;
            for (const attrField of fields(bytes, nodeField.start, nodeField.end)) {
              if (attrField.number === ATTRIBUTE_NAME && attrField.lengthDelimited) {
                name = decoder.decode(bytes.subarray(attrField.start, attrField.end));
              } else if (attrField.number === ATTRIBUTE_T && attrField.lengthDelimited) {
                raw = tensorFields(bytes, attrField.start, attrField.end, decoder).raw;
              }
            }
            if (name === "value" && raw) constants.set(nodeIndex, raw);
          }
          nodeIndex++;
        }
      }
    }
  } catch (error) {
    throw new ModelError(`${where}: not a valid ONNX model (${(error as Error).message})`, "E_MODEL_FILE");
  }
  return { initializers, constants };
}

function tensorFields(bytes: Uint8Array, start: number, end: number, decoder: TextDecoder) {
  let name = "";
  let raw: ByteRange | undefined;
  for (const field of fields(bytes, start, end)) {
    if (field.number === TENSOR_NAME && field.lengthDelimited) {
      name = decoder.decode(bytes.subarray(field.start, field.end));
    } else if (field.number === TENSOR_RAW_DATA && field.lengthDelimited) {
      raw = { offset: field.start, length: field.end - field.start };
    }
  }
  return { name, raw };
}

function* fields(bytes: Uint8Array, start: number, end: number): Generator<Field> {
  let pos = start;
  while (pos < end) {
    const [key, afterKey] = varint(bytes, pos, end);
    const number = Math.floor(key / 8);
    const wireType = key % 8;
    pos = afterKey;
    switch (wireType) {
      case 0:
        pos = varint(bytes, pos, end)[1];
        yield { number, start: pos, end: pos, lengthDelimited: false };
        break;
      case 1:
        pos += 8;
        break;
      case 5:
        pos += 4;
        break;
      case 2: {
        const [length, payload] = varint(bytes, pos, end);
        if (payload + length > end) throw new Error(`field ${number} at byte ${pos} runs past the end (truncated)`);
        pos = payload + length;
        yield { number, start: payload, end: pos, lengthDelimited: true };
        break;
      }
      default:
        throw new Error(`unexpected wire type ${wireType} at byte ${pos}`);
    }
    if (pos > end) throw new Error(`field ${number} runs past the end (truncated)`);
  }
}

/** A varint as a JS number (exact below 2^53, ample for offsets and lengths). */
function varint(bytes: Uint8Array, start: number, end: number): [number, number] {
  let value = 0;
  let scale = 1;
  let pos = start;
  for (;;) {
    if (pos >= end) throw new Error(`varint at byte ${start} runs past the end (truncated)`);
    const byte = bytes[pos++]!;
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) return [value, pos];
    scale *= 128;
    if (scale > 2 ** 63) throw new Error(`varint too long at byte ${start}`);
  }
}
