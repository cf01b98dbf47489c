// Builds one layer's ONNX ModelProto: its nodes, typed inputs/outputs, and weights as external data. Pure.
import { create } from "@bufbuild/protobuf";
import {
  GraphProtoSchema,
  type ModelProto,
  ModelProtoSchema,
  StringStringEntryProtoSchema,
  TensorProto_DataLocation,
  TensorProtoSchema,
  TensorShapeProto_DimensionSchema,
  TensorShapeProtoSchema,
  TypeProto_TensorSchema,
  TypeProtoSchema,
  type ValueInfoProto,
  ValueInfoProtoSchema,
} from "onnx-buf";
import type { LayerPlan, LayerWeight, PlannedLayer } from "./split-plan.ts";
import type { TensorType } from "./shapes.ts";

/** Where a layer weight's bytes are: a file next to the layer file (by offset), or inline bytes. */
export type WeightPlacement = { location: string; offset: number; length: number } | { inline: Uint8Array };

export function valueInfo(name: string, type: TensorType): ValueInfoProto {
  return create(ValueInfoProtoSchema, {
    name,
    type: create(TypeProtoSchema, {
      value: {
        case: "tensorType",
        value: create(TypeProto_TensorSchema, {
          elemType: type.dataType,
          shape: create(TensorShapeProtoSchema, {
            dim: type.shape.map((d) => create(TensorShapeProto_DimensionSchema, { value: { case: "dimValue", value: BigInt(d) } })),
          }),
        }),
      },
    }),
  });
}

/** The layer as a standalone model: same IR version (at least 4: initializers need not be inputs), opsets and functions. */
export function layerModel(
  plan: LayerPlan,
  layer: PlannedLayer,
  place: (weight: LayerWeight) => WeightPlacement,
): ModelProto {
  const original = plan.graph.model;
  const typeOf = (name: string) => plan.shapes.get(name)!;
  const initializer = layer.weights.map((weight) => {
    const placement = place(weight);
    const dims = weight.dims.map(BigInt);
    if ("inline" in placement) {
      return create(TensorProtoSchema, { name: weight.name, dataType: weight.dataType, dims, rawData: placement.inline as Uint8Array<ArrayBuffer> });
    }
    return create(TensorProtoSchema, {
      name: weight.name,
      dataType: weight.dataType,
      dims,
      dataLocation: TensorProto_DataLocation.EXTERNAL,
      externalData: [
        create(StringStringEntryProtoSchema, { key: "location", value: placement.location }),
        create(StringStringEntryProtoSchema, { key: "offset", value: String(placement.offset) }),
        create(StringStringEntryProtoSchema, { key: "length", value: String(placement.length) }),
      ],
    });
  });
  return create(ModelProtoSchema, {
    irVersion: original.irVersion < 4n ? 4n : original.irVersion,
    opsetImport: original.opsetImport,
    producerName: "mema",
    functions: original.functions,
    graph: create(GraphProtoSchema, {
      name: layer.info.name,
      node: layer.nodes,
      initializer,
      input: layer.info.inputs.map((t) => valueInfo(t.name, typeOf(t.name))),
      output: layer.info.outputs.map((t) => valueInfo(t.name, typeOf(t.name))),
    }),
  });
}
