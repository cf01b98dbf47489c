// Options shared by `mema layers`, `verify` and `profile`: the MODEL argument, --shape, sizes, and errors as one line.
import { existsSync } from "node:fs";
import { BYTES_PER_UNIT, SIZE_UNIT_LIST } from "../lang/units.ts";
import { ModelError } from "../runtime/model/errors.ts";
import { parseShapeSpec } from "../runtime/model/shapes.ts";
import { ZOO_NETWORKS } from "../stdlib/names.ts";
import { UsageError } from "./command.ts";

export const SHAPE_OPTION = { shape: { type: "string", multiple: true } } as const;

/** MODEL: an .onnx path, or a zoo name (generated into the cache on first use). */
export async function resolveModel(arg: string | undefined): Promise<{ path: string; name: string }> {
  if (!arg) throw new UsageError("missing MODEL: an .onnx file or a zoo network name");
  if (existsSync(arg) || arg.endsWith(".onnx")) return { path: arg, name: arg.replace(/^.*\//, "").replace(/\.onnx$/, "") };
  if ((ZOO_NETWORKS as readonly string[]).includes(arg.toLowerCase())) {
    const { zooModelPath } = await import("../stdlib/zoo/index.ts");
    return { path: await zooModelPath(arg), name: arg.toLowerCase() };
  }
  throw new UsageError(`MODEL '${arg}' is neither an existing .onnx file nor a zoo network (${ZOO_NETWORKS.join(", ")})`, "E_MODEL_FILE");
}

export function inputShapes(values: unknown): Record<string, number[]> {
  const specs = (values as string[] | undefined) ?? [];
  const shapes: Record<string, number[]> = {};
  for (const spec of specs) {
    const { name, shape } = parseShapeSpec(spec);
    shapes[name] = shape;
  }
  return shapes;
}

/** `64MiB`, `1.5 MB`, `100000` (bytes). */
export function parseSize(flag: string, text: unknown): number | undefined {
  if (text === undefined) return undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*$/.exec(String(text));
  const scale = match ? (match[2] === "" ? 1 : BYTES_PER_UNIT[match[2]!]) : undefined;
  if (!match || scale === undefined) {
    throw new UsageError(`--${flag} '${String(text)}': expected a size such as 64MiB (units: ${SIZE_UNIT_LIST})`, "E_OPTION");
  }
  return Math.floor(Number(match[1]) * scale);
}

export function parseNumber(flag: string, text: unknown, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0) throw new UsageError(`--${flag} '${String(text)}': expected a non-negative number`, "E_OPTION");
  return value;
}

/** Runs `body`, turning model errors (and the zoo's) into the CLI's one-line UsageError. */
export async function asUsageErrors<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof ModelError) throw new UsageError(error.message, error.code);
    if (error instanceof Error && error.name === "ZooError") throw new UsageError(error.message, (error as { code?: string }).code ?? "E_ZOO");
    throw error;
  }
}
