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

/** An input the caller must give a shape for: its declared dims and dims that would do (symbols as 1, or as bound). */
export interface MissingInputShape {
  name: string;
  /** Declared dims (symbol names, "" for anonymous); undefined for an unknown rank. */
  dims?: (number | string)[];
  example: number[];
}

/**
 * Every input of a model that needs a shape, in one error: the message is the CLI's (`--shape` flags);
 * `forScenario` says the same in a scenario's `shapes: { ... }` option (.mema and YAML write it alike).
 */
export class MissingShapesError extends ModelError {
  constructor(
    readonly missing: MissingInputShape[],
    readonly given: Record<string, number[]>,
  ) {
    super(`${missingText(missing)}; pass ${missing.map((m) => `--shape ${m.name}=${m.example.join("x")}`).join(" ")}`, "E_SHAPE");
  }

  /** The same error for model `model` of a scenario file: the whole `shapes` record to write, given shapes kept. */
  forScenario(model: string, path: string): ModelError {
    const all = { ...this.given, ...Object.fromEntries(this.missing.map((m) => [m.name, m.example])) };
    const record = Object.entries(all).map(([name, dims]) => `${recordKey(name)}: [${dims.join(", ")}]`).join(", ");
    return new ModelError(`model ${model} (${path}): ${missingText(this.missing)}; give the model the option shapes: { ${record} }`, "E_SHAPE");
  }
}

/** A record key as .mema and YAML both read it: a plain name, else a double-quoted string (keywords, `true`, dots). */
function recordKey(name: string): string {
  const plain = /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !/^(import|let|model|from|pipeline|memory|policy|workers|arrivals|session|true|false|null|yes|no|on|off)$/i.test(name);
  return plain ? name : JSON.stringify(name);
}

/** A given shape the model does not take: said of `--shape` on the CLI, of the `shapes` option in a scenario. */
export class ShapeOptionError extends ModelError {
  constructor(readonly detail: string) {
    super(`--shape ${detail}`, "E_OPTION");
  }

  forScenario(model: string, path: string): ModelError {
    return new ModelError(`model ${model} (${path}): option shapes: ${this.detail}`, "E_OPTION");
  }
}

function missingText(missing: MissingInputShape[]): string {
  const each = missing.map((m) => `input '${m.name}' has dims ${m.dims ? formatDims(m.dims) : "(unknown rank)"}`);
  return `missing input shape${missing.length > 1 ? "s" : ""}: ${each.join(", ")}`;
}

/**
 * Concrete input types: each graph input's declared dims, with symbolic ones taken from `given`.
 * Throws MissingShapesError naming every input whose dims stay unknown, or E_OPTION when `given` names no input.
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
      throw new ShapeOptionError(`names '${name}', but the model's inputs are: ${inputNames.join(", ")}`);
    }
  }
  const open: { name: string; dataType: number; dims?: (number | string)[] }[] = [];
  for (const name of inputNames) {
    const info = graph.input.find((i) => i.name === name)!;
    const declared = declaredType(info);
    if (!declared) throw new ModelError(`input '${name}' has no tensor type`, "E_SHAPE");
    const user = given[name];
    if (user) {
      if (declared.dims && declared.dims.length !== user.length) {
        throw new ShapeOptionError(`${name}: ${user.length} dims given, the model declares ${declared.dims.length} (${formatDims(declared.dims)})`);
      }
      declared.dims?.forEach((dim, i) => {
        if (typeof dim === "number" && dim !== user[i]) {
          throw new ShapeOptionError(`${name}: dim ${i} is ${user[i]}, the model fixes it at ${dim} (${formatDims(declared.dims!)})`);
        }
        if (typeof dim === "string" && dim !== "") symbols.set(dim, user[i]!);
      });
      types.set(name, { dataType: declared.dataType, shape: user });
    } else if (!declared.dims || declared.dims.some((d) => typeof d !== "number")) {
      open.push({ name, ...declared });
    } else {
      types.set(name, { dataType: declared.dataType, shape: declared.dims as number[] });
    }
  }
  if (open.length > 0) {
    // Examples agree with each other and with the given shapes: a symbol bound by a given input keeps its value.
    const missing = open.map(({ name, dims }) => ({ name, dims, example: exampleDims(dims, symbols) }));
    throw new MissingShapesError(missing, given);
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

function exampleDims(dims: (number | string)[] | undefined, symbols: Map<string, number>): number[] {
  return dims ? dims.map((d) => (typeof d === "number" ? d : symbols.get(d) ?? 1)) : [1, 3, 224, 224];
}
