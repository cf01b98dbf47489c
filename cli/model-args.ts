// What `mema layers`, `verify` and `profile` share: the MODEL argument, the split flags, and model errors as one line.
import { statSync } from "node:fs";
import type { Granularity } from "../runtime/model/split-plan.ts";
import { parseShapeSpec } from "../runtime/model/shapes.ts";
import { ZOO_NETWORKS } from "../stdlib/names.ts";
import { type CommandContext, onlyArgument, UsageError } from "./command.ts";
import { parseSize } from "./flag-values.ts";

/** The flags that say how a model splits (--shape, --cap, --granularity, --merge). */
export const SPLIT_OPTIONS = {
  shape: { type: "string", multiple: true },
  cap: { type: "string" },
  granularity: { type: "string" },
  merge: { type: "string" },
} as const;

const GRANULARITIES: Granularity[] = ["layer", "node", "merged"];

/** MODEL: an .onnx path, or a zoo name (generated into the cache on first use). */
export async function resolveModel(ctx: CommandContext, command: string): Promise<{ path: string; name: string }> {
  const arg = onlyArgument(ctx, command, "MODEL: an .onnx file or a zoo network name");
  let isFolder = false;
  let exists = false;
  try {
    isFolder = statSync(arg).isDirectory();
    exists = true;
  } catch {
    // Absent: a zoo name, or a path the splitter reports as missing.
  }
  if (isFolder) throw new UsageError(`MODEL '${arg}' is a folder; expected an .onnx file or a zoo network name`, "E_MODEL_FILE");
  if (exists || arg.endsWith(".onnx")) return { path: arg, name: arg.replace(/^.*[\\/]/, "").replace(/\.onnx$/, "") };
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

/** The split flags as splitModel's options. */
export function splitOptions(values: Record<string, unknown>) {
  const granularity = (values.granularity as string | undefined) ?? (values.merge !== undefined ? "merged" : "layer");
  if (!GRANULARITIES.includes(granularity as Granularity)) {
    throw new UsageError(`--granularity '${granularity}': expected one of ${GRANULARITIES.join(", ")}`, "E_OPTION");
  }
  const capBytes = parseSize("cap", values.cap);
  const mergeBytes = parseSize("merge", values.merge);
  if (capBytes === 0 || mergeBytes === 0) throw new UsageError(`--${capBytes === 0 ? "cap" : "merge"}: a size must be at least 1 byte`, "E_OPTION");
  return { granularity: granularity as Granularity, inputShapes: inputShapes(values.shape), capBytes, mergeBytes };
}
