// Tensor types and concrete shapes: from the user's NAME=1x3x224x224 flags and the model's value_info.
import type { ModelProto, ValueInfoProto } from "onnx-buf";
import { ModelError } from "./errors.ts";

/** An element type (ONNX enum) and a concrete shape. */
export interface TensorType {
  dataType: number;
  shape: number[];
}

/** Concrete types of the main graph's values, by name. */
export type ShapeTable = Map<string, TensorType>;

/** Parses `NAME=1x3x224x224` (a scalar is `NAME=`). */
export function parseShapeSpec(spec: string): { name: string; shape: number[] } {
  const eq = spec.lastIndexOf("=");
  const name = spec.slice(0, eq);
  const dims = spec.slice(eq + 1);
  if (eq <= 0 || !/^(\d+(x\d+)*)?$/.test(dims)) {
    throw new ModelError(`bad shape '${spec}': expected NAME=DIMS, e.g. input=1x3x224x224`, "E_OPTION");
  }
  // A zero dim makes an empty tensor: onnxruntime then fails deep inside a kernel instead of here.
  if (/(^|x)0+(x|$)/.test(dims)) throw new ModelError(`bad shape '${spec}': every dim must be at least 1`, "E_OPTION");
  return { name, shape: dims === "" ? [] : dims.split("x").map(Number) };
}

/**
 * Concrete input types: each graph input's declared dims, with symbolic ones taken from `given`.
 * Throws naming the input when a dim stays unknown, or when `given` names no input.
 */
export function resolveInputTypes(
  model: ModelProto,
  inputNames: string[],
  given: Record<string, number[]>,
): { types: ShapeTable; symbols: Map<string, number> } {
  const graph = model.graph!;
  const types: ShapeTable = new Map();
  const symbols = new Map<string, number>();
  for (const name of Object.keys(given)) {
    if (!inputNames.includes(name)) {
      throw new ModelError(`--shape names '${name}', but the model's inputs are: ${inputNames.join(", ")}`, "E_OPTION");
    }
  }
  for (const name of inputNames) {
    const info = graph.input.find((i) => i.name === name)!;
    const declared = declaredType(info);
    if (!declared) throw new ModelError(`input '${name}' has no tensor type`, "E_SHAPE");
    const user = given[name];
    if (user) {
      if (declared.dims && declared.dims.length !== user.length) {
        throw new ModelError(`--shape ${name}: ${user.length} dims given, the model declares ${declared.dims.length} (${formatDims(declared.dims)})`, "E_OPTION");
      }
      declared.dims?.forEach((dim, i) => {
        if (typeof dim === "number" && dim !== user[i]) {
          throw new ModelError(`--shape ${name}: dim ${i} is ${user[i]}, the model fixes it at ${dim} (${formatDims(declared.dims!)})`, "E_OPTION");
        }
        if (typeof dim === "string" && dim !== "") symbols.set(dim, user[i]!);
      });
      types.set(name, { dataType: declared.dataType, shape: user });
      continue;
    }
    if (!declared.dims || declared.dims.some((d) => typeof d !== "number")) {
      throw new ModelError(
        `missing input shape: input '${name}' has dims ${declared.dims ? formatDims(declared.dims) : "(unknown rank)"}; pass --shape ${name}=${exampleDims(declared.dims)}`,
        "E_SHAPE",
      );
    }
    types.set(name, { dataType: declared.dataType, shape: declared.dims as number[] });
  }
  return { types, symbols };
}

/**
 * Types the model itself states (value_info, outputs) made concrete with the symbols bound by the inputs.
 * Values whose dims stay symbolic are left out: the caller discovers them by running the model.
 */
export function declaredShapes(model: ModelProto, inputs: ShapeTable, symbols: Map<string, number>): ShapeTable {
  const table: ShapeTable = new Map(inputs);
  const graph = model.graph!;
  for (const info of [...graph.valueInfo, ...graph.output]) {
    if (table.has(info.name)) continue;
    const declared = declaredType(info);
    if (!declared?.dims || declared.dataType === 0) continue;
    const shape = declared.dims.map((d) => (typeof d === "number" ? d : symbols.get(d)));
    if (shape.every((d): d is number => d !== undefined)) table.set(info.name, { dataType: declared.dataType, shape });
  }
  return table;
}

/** The element type and dims of a ValueInfo: numbers, or the symbol name ("" when anonymous). */
function declaredType(info: ValueInfoProto): { dataType: number; dims?: (number | string)[] } | undefined {
  const type = info.type?.value;
  if (type?.case !== "tensorType") return undefined;
  const shape = type.value.shape;
  return {
    dataType: type.value.elemType,
    dims: shape?.dim.map((d) => (d.value.case === "dimValue" ? Number(d.value.value) : d.value.case === "dimParam" ? d.value.value : "")),
  };
}

function formatDims(dims: (number | string)[]): string {
  return `[${dims.map((d) => (d === "" ? "?" : d)).join(", ")}]`;
}

function exampleDims(dims: (number | string)[] | undefined): string {
  return dims ? dims.map((d) => (typeof d === "number" ? d : 1)).join("x") : "1x3x224x224";
}
