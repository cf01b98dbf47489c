// Runs a model whole and layer by layer (load, exec, free per layer) on the same inputs, for verify and profile.
import { type HostSession, type HostTensor, hostTensor } from "../host/onnxruntime.ts";
import { seededInputs, type InputData } from "./seeded-inputs.ts";
import { openSession, splitModel, type SplitOptions } from "./split.ts";
import type { LayerInfo, SplitModel } from "./types.ts";

export type Feeds = Record<string, HostTensor>;

export function toFeeds(inputs: Record<string, InputData>): Feeds {
  return Object.fromEntries(Object.entries(inputs).map(([name, i]) => [name, hostTensor(i.dtype, i.data, i.dims)]));
}

/** A layer whose session exists: exec runs it, free releases it. */
export interface LoadedLayer {
  layer: LayerInfo;
  exec(feeds: Feeds): Promise<Feeds>;
  free(): Promise<void>;
}

/**
 * Load step: creates the layer's onnxruntime session from its file. onnxruntime 1.30 maps external data
 * (mmap) rather than reading it: the session holds the layer's byte ranges of the original file, the first
 * exec faults those pages in (file-backed RSS), and release unmaps them. So on a warm page cache loadMs is
 * mostly session setup and the first execMs includes touching the weights; on a cold cache the disk reads
 * land in the first exec too.
 */
export async function loadLayer(layer: LayerInfo, options?: Parameters<typeof openSession>[2]): Promise<LoadedLayer> {
  if (!layer.path) throw new Error(`layer '${layer.name}' has no file: split the model with splitModel first`);
  const session: HostSession = await openSession(layer.path, layer.path, options);
  return {
    layer,
    exec: async (feeds) => {
      const own: Feeds = {};
      for (const input of layer.inputs) own[input.name] = feeds[input.name]!;
      return session.run(own);
    },
    free: () => session.release(),
  };
}

/** Runs the original model in one session. */
export async function runWhole(path: string, feeds: Feeds): Promise<Feeds> {
  const session = await openSession(path, path);
  try {
    return await session.run(feeds);
  } finally {
    await session.release();
  }
}

/** Runs the layers in order, each loaded, executed and freed; values are dropped after their last reader. */
export async function runLayered(split: SplitModel, feeds: Feeds): Promise<Feeds> {
  const values = new Map<string, HostTensor>(Object.entries(feeds));
  const lastReader = new Map<string, number>();
  split.layers.forEach((layer, index) => layer.inputs.forEach((t) => lastReader.set(t.name, index)));
  const keep = new Set(split.outputs.map((t) => t.name));
  for (const [index, layer] of split.layers.entries()) {
    const loaded = await loadLayer(layer);
    const outputs = await loaded.exec(Object.fromEntries(values));
    await loaded.free();
    for (const [name, tensor] of Object.entries(outputs)) values.set(name, tensor);
    for (const input of layer.inputs) {
      if (lastReader.get(input.name) === index && !keep.has(input.name)) values.delete(input.name);
    }
  }
  return Object.fromEntries(split.outputs.map((t) => [t.name, values.get(t.name)!]));
}

/** A float16 number from its bits (onnxruntime-node hands float16 data over as Uint16Array where the runtime has no Float16Array: Node 20). */
export function float16Value(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 31) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/** A tensor's values as numbers: float16 and bfloat16 bits decoded. */
function numbersOf(tensor: HostTensor): ArrayLike<number | bigint> {
  const data = tensor.data as ArrayLike<number | bigint>;
  if (!(data instanceof Uint16Array)) return data;
  if (tensor.type === "float16") return Array.from(data, float16Value);
  if ((tensor.type as string) === "bfloat16") return new Float32Array(Uint32Array.from(data, (b) => b << 16).buffer);
  return data;
}

/** Largest absolute difference between two tensors' values; Infinity when shapes differ or a NaN appears on one side only. */
export function maxAbsDifference(a: HostTensor, b: HostTensor): number {
  if (a.type !== b.type || a.dims.join("x") !== b.dims.join("x")) return Infinity;
  const x = numbersOf(a);
  const y = numbersOf(b);
  let max = 0;
  for (let i = 0; i < x.length; i++) {
    const p = Number(x[i]);
    const q = Number(y[i]);
    if (Number.isNaN(p) || Number.isNaN(q)) {
      if (Number.isNaN(p) !== Number.isNaN(q)) return Infinity;
      continue;
    }
    const d = Math.abs(p - q);
    if (d > max) max = d;
  }
  return max;
}


export interface Verification {
  split: SplitModel;
  seed: number;
  /** Per graph output: the largest absolute difference between whole and layer-by-layer results. */
  outputs: { name: string; dtype: string; shape: number[]; maxAbsDifference: number }[];
  /** One line on the likely cause when some output differs and the cause is known (float16 models). */
  note?: string;
}

/**
 * Why a float16 model may still differ: the layers follow onnxruntime's float32-or-float16 choice per node of
 * the whole model (runtime/model/README.md, "float16 models"), but a body of If/Loop/Scan is left to onnxruntime.
 */
export function differenceNote(split: SplitModel, outputs: Verification["outputs"]): string | undefined {
  if (outputs.every((o) => o.maxAbsDifference === 0)) return undefined;
  const tensors = [...split.inputs, ...split.outputs, ...split.layers.flatMap((l) => [...l.inputs, ...l.outputs])];
  if (!tensors.some((t) => t.dtype === "float16")) return undefined;
  const branches = split.layers.filter((l) => l.ops.some((op) => op === "If" || op === "Loop" || op === "Scan")).map((l) => l.name);
  return `float16 model: onnxruntime computes most float16 operators in float32 and keeps values in float32 inside one session; the layers follow its choices node by node${branches.length > 0 ? `, except inside the If/Loop/Scan bodies of layer${branches.length > 1 ? "s" : ""} ${branches.map((n) => `'${n}'`).join(", ")}` : ""} (runtime/model/README.md, "float16 models")`;
}

/** Splits a model, runs it whole and layer by layer on the same seeded inputs, and compares every output. */
export async function verifyModel(path: string, options: SplitOptions = {}, seed = 42): Promise<Verification> {
  const split = await splitModel(path, options);
  const feeds = toFeeds(seededInputs(split.inputs, seed));
  const whole = await runWhole(split.path, feeds);
  const staged = await runLayered(split, feeds);
  const outputs = split.outputs.map((o) => ({ name: o.name, dtype: o.dtype, shape: o.shape, maxAbsDifference: maxAbsDifference(whole[o.name]!, staged[o.name]!) }));
  const note = differenceNote(split, outputs);
  return { split, seed, outputs, ...(note ? { note } : {}) };
}
