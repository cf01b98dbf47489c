// Turns a zoo graph into ONNX: a ModelProto without weight data (layer facts for free), or the byte layout of the
// full model file, written piece by piece so that 575 MB of weights never sit in memory as one object graph.
import { create, toBinary } from "@bufbuild/protobuf";
import {
  AttributeProto_AttributeType,
  AttributeProtoSchema,
  GraphProtoSchema,
  type ModelProto,
  ModelProtoSchema,
  NodeProtoSchema,
  OperatorSetIdProtoSchema,
  TensorProto_DataType,
  TensorProtoSchema,
  TensorShapeProto_DimensionSchema,
  TensorShapeProtoSchema,
  TypeProto_TensorSchema,
  TypeProtoSchema,
  type ValueInfoProto,
  ValueInfoProtoSchema,
  type GraphProto,
  type NodeProto,
} from "onnx-buf";
import type { ZooGraph, ZooInitializer, ZooNode } from "./caffe-builder.ts";
import { OPSET_VERSION } from "./facts.ts";
import { WeightStream } from "./weights.ts";

export { OPSET_VERSION };
const IR_VERSION = 8n;

function valueInfo(name: string, shape: readonly number[]): ValueInfoProto {
  return create(ValueInfoProtoSchema, {
    name,
    type: create(TypeProtoSchema, {
      value: {
        case: "tensorType",
        value: create(TypeProto_TensorSchema, {
          elemType: TensorProto_DataType.FLOAT,
          shape: create(TensorShapeProtoSchema, {
            dim: shape.map((d) => create(TensorShapeProto_DimensionSchema, { value: { case: "dimValue", value: BigInt(d) } })),
          }),
        }),
      },
    }),
  });
}

function nodeProto(node: ZooNode): NodeProto {
  const floats = new Set(node.floatAttributes ?? []);
  const attribute = Object.entries(node.attributes).map(([name, value]) => {
    if (typeof value === "string") {
      return create(AttributeProtoSchema, { name, type: AttributeProto_AttributeType.STRING, s: new TextEncoder().encode(value) });
    }
    if (Array.isArray(value)) {
      return create(AttributeProtoSchema, { name, type: AttributeProto_AttributeType.INTS, ints: value.map((v) => BigInt(v)) });
    }
    if (floats.has(name)) return create(AttributeProtoSchema, { name, type: AttributeProto_AttributeType.FLOAT, f: value });
    return create(AttributeProtoSchema, { name, type: AttributeProto_AttributeType.INT, i: BigInt(value) });
  });
  return create(NodeProtoSchema, { name: node.name, opType: node.op, input: node.inputs, output: [node.output], attribute });
}

function tensorHeader(init: ZooInitializer) {
  return create(TensorProtoSchema, { name: init.name, dims: init.dims.map((d) => BigInt(d)), dataType: TensorProto_DataType.FLOAT });
}

function graphWithoutWeights(graph: ZooGraph, allOutputs = false): GraphProto {
  const intermediates: ValueInfoProto[] = [];
  for (const node of graph.nodes) {
    if (node.output !== graph.output.name) intermediates.push(valueInfo(node.output, graph.tensors.get(node.output)!));
  }
  const output = [valueInfo(graph.output.name, graph.output.shape)];
  return create(GraphProtoSchema, {
    name: graph.name,
    node: graph.nodes.map(nodeProto),
    input: [valueInfo(graph.input.name, graph.input.shape)],
    // onnxruntime only warns when a value_info shape is wrong; as outputs, the shapes can be checked.
    output: allOutputs ? [...intermediates, ...output] : output,
    valueInfo: allOutputs ? [] : intermediates,
  });
}

function modelShell(graph: ZooGraph, producerVersion: string): ModelProto {
  return create(ModelProtoSchema, {
    irVersion: IR_VERSION,
    opsetImport: [create(OperatorSetIdProtoSchema, { domain: "", version: BigInt(OPSET_VERSION) })],
    producerName: "mema-zoo",
    producerVersion,
    docString: `${graph.name}: EdgeCaffe network replica with seeded random weights (not trained)`,
  });
}

/** The model with every tensor's shape in value_info and initializers that have dims but no data. */
export function modelWithoutWeights(graph: ZooGraph, producerVersion: string): ModelProto {
  const model = modelShell(graph, producerVersion);
  const g = graphWithoutWeights(graph);
  g.initializer = graph.initializers.map(tensorHeader);
  model.graph = g;
  return model;
}

/** One piece of a model file: bytes to copy, or an initializer's raw float32 data to generate in place. */
export type FilePiece = { bytes: Uint8Array } | { weights: ZooInitializer; bytes: number };

function varint(value: number): number[] {
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return out;
}

const FIELD_MODEL_GRAPH = 0x3a; // field 7, length-delimited
const FIELD_GRAPH_INITIALIZER = 0x2a; // field 5, length-delimited
const FIELD_TENSOR_RAW_DATA = 0x4a; // field 9, length-delimited

/**
 * The model file as pieces. Protobuf lets a message's fields come in any order, so the graph is appended after the
 * model's other fields and each initializer's raw_data after its header; lengths are known up front from the dims.
 */
export function modelFilePieces(
  graph: ZooGraph,
  producerVersion: string,
  options: { allOutputs?: boolean } = {},
): { pieces: FilePiece[]; totalBytes: number } {
  const head = toBinary(ModelProtoSchema, modelShell(graph, producerVersion));
  const graphHead = toBinary(GraphProtoSchema, graphWithoutWeights(graph, options.allOutputs));
  const initPieces: FilePiece[] = [];
  let initBytes = 0;
  for (const init of graph.initializers) {
    const header = toBinary(TensorProtoSchema, tensorHeader(init));
    const rawBytes = 4 * init.dims.reduce((a, b) => a * b, 1);
    const rawTag = [FIELD_TENSOR_RAW_DATA, ...varint(rawBytes)];
    const tensorBytes = header.length + rawTag.length + rawBytes;
    const prefix = new Uint8Array([FIELD_GRAPH_INITIALIZER, ...varint(tensorBytes)]);
    const fieldHead = new Uint8Array(prefix.length + header.length + rawTag.length);
    fieldHead.set(prefix, 0);
    fieldHead.set(header, prefix.length);
    fieldHead.set(rawTag, prefix.length + header.length);
    initPieces.push({ bytes: fieldHead }, { weights: init, bytes: rawBytes });
    initBytes += fieldHead.length + rawBytes;
  }
  const graphLength = graphHead.length + initBytes;
  const graphTag = new Uint8Array([FIELD_MODEL_GRAPH, ...varint(graphLength)]);
  const pieces: FilePiece[] = [{ bytes: head }, { bytes: graphTag }, { bytes: graphHead }, ...initPieces];
  return { pieces, totalBytes: head.length + graphTag.length + graphLength };
}

/**
 * The whole model file in memory, for small networks and tests. `allOutputs` makes every intermediate tensor a
 * graph output (so a runtime reports its real shape).
 */
export function modelBytes(graph: ZooGraph, producerVersion: string, options: { allOutputs?: boolean } = {}): Uint8Array {
  const { pieces, totalBytes } = modelFilePieces(graph, producerVersion, options);
  const out = new Uint8Array(totalBytes);
  let at = 0;
  for (const piece of pieces) {
    if ("weights" in piece) {
      // A Float32Array view needs a 4-byte aligned offset; protobuf headers rarely give one.
      const values = new Float32Array(piece.bytes / 4);
      new WeightStream(`${graph.name}/${piece.weights.name}`, piece.weights.fill, values.length).next(values);
      out.set(new Uint8Array(values.buffer), at);
      at += piece.bytes;
    } else {
      out.set(piece.bytes, at);
      at += piece.bytes.length;
    }
  }
  return out;
}
