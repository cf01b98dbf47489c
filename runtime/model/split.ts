// Splits an ONNX file into per-layer ONNX files whose weights point into the original file (external data),
// cached by the file's sha256 under cacheDir(). The file-touching side of runtime/model (planning is pure).
import { createHash } from "node:crypto";
import { constants, copyFileSync, existsSync, linkSync, readFileSync, realpathSync, rmSync, statSync } from "node:fs";
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { create } from "@bufbuild/protobuf";
import { type ModelProto, StringStringEntryProtoSchema, type TensorProto, TensorProto_DataLocation, ValueInfoProtoSchema } from "onnx-buf";
import { cacheDir, cacheError } from "../host/cache.ts";
import { replaceFile } from "../host/write-file.ts";
import { createSession, EXACT_SESSION_OPTIONS, type HostSession, hostTensor } from "../host/onnxruntime.ts";
import { dtypeFacts, dataTypeOfName, tensorBytes } from "./dtypes.ts";
import { ModelError } from "./errors.ts";
import type { WeightTensor } from "./graph.ts";
import { halfNodesInFloat, hasHalfValues } from "./half-precision.ts";
import { layerModel, type WeightPlacement } from "./layer-file.ts";
import { decodeModel, encodeModel, type ByteRange, scanRawData } from "./onnx-file.ts";
import { type LayerPlan, type LayerWeight, missingShapes, type PlanOptions, planSplit } from "./split-plan.ts";
import { seededInputs } from "./seeded-inputs.ts";
import { MissingShapesError, ShapeOptionError, type ShapeTable } from "./shapes.ts";
import { sliceBytes, sliceIsContiguous, tensorDataBytes } from "./tensor-data.ts";
import type { ModelPlan } from "../../lang/plan.ts";
import { type ArtifactCheck, cachedSplit, type ExternalSource, inFolder, manifestPath, memoisedSha256, shortHash, splitFolder, type SplitManifest, splitVariant, type SplitVariantOptions, writeAtomically } from "./split-cache.ts";
import type { FileRange, LayerInfo, SplitModel } from "./types.ts";

/** What selects a split (the cap, granularity, input shapes) and the name to report. */
export type SplitOptions = SplitVariantOptions;

/** Weights this small are written inline in the layer file: an external reference would cost more than the bytes. */
export const INLINE_WEIGHT_BYTES = 256;
/** A split slower than this says so on stderr (once done: weights are linked, not copied, so most are quick). */
const ANNOUNCE_MS = 1000;

/** A model file read, decoded and hashed, with where its weight bytes sit. */
export interface ModelFile {
  path: string;
  bytes: Uint8Array;
  sha256: string;
  model: ModelProto;
}

export function readModelFile(path: string): ModelFile {
  const absolute = resolve(path);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(absolute);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "a folder, not an .onnx file" : code ?? (error as Error).message;
    throw new ModelError(`${path}: cannot read model file (${reason})`, "E_MODEL_FILE");
  }
  const model = decodeModel(bytes, path);
  checkExternalData(model, absolute, path);
  return { path: absolute, bytes, sha256: createHash("sha256").update(bytes).digest("hex"), model };
}

function externalEntry(tensor: { externalData: { key: string; value: string }[] }, key: string): string | undefined {
  return tensor.externalData.find((e) => e.key === key)?.value;
}

/** The tensors of the main graph that may hold external data: initializers and Constant nodes' values. */
function graphTensors(model: ModelProto): TensorProto[] {
  const constants = model.graph!.node.flatMap((n) => n.attribute.flatMap((a) => (a.t ? [a.t] : [])));
  return [...model.graph!.initializer, ...constants];
}

/**
 * The real path of an external-data file, refused as onnxruntime 1.30 refuses it (ValidateExternalDataPath in
 * core/framework/tensorprotoutils.cc: an empty or absolute location, or one whose canonical path, symlinks
 * followed, is not inside the model's canonical folder; the in-memory tag) and further: the file must exist
 * and be a regular file. Checked before anything is read, linked or written.
 */
export function externalDataFile(location: string, modelFolder: string): { file: string } | { problem: string } {
  if (location === "") return { problem: "an empty location" };
  if (location.includes("_ORT_MEM_ADDR_")) return { problem: "onnxruntime's in-memory tag, not a file" };
  if (location.includes("\0")) return { problem: "a location with a NUL byte" };
  if (isAbsolute(location) || /^[A-Za-z]:|^\\\\/.test(location)) return { problem: "an absolute path (external data must sit in the model's folder)" };
  let base: string;
  let file: string;
  try {
    base = realpathSync(modelFolder);
    // Not joined (join would drop 'link/..' before the link is followed): the kernel resolves it, as onnxruntime does.
    file = realpathSync(`${modelFolder}${sep}${location}`);
  } catch {
    return { problem: "a file that does not exist" };
  }
  const inside = relative(base, file);
  if (inside === "") return { problem: "the model's folder, not a file" };
  if (inside.startsWith("..") || isAbsolute(inside)) return { problem: `a path that resolves to '${file}', outside the model's folder ${base}` };
  try {
    if (!statSync(file).isFile()) return { problem: "not a regular file" };
  } catch {
    return { problem: "a file that does not exist" };
  }
  return { file };
}

/**
 * Every external-data reference of the original must stay inside the model's folder, exist and hold the
 * tensor's bytes: a hostile location (`../../etc/passwd`, an absolute path, a symlink out) is refused here,
 * before the split reads, links or copies anything.
 */
function checkExternalData(model: ModelProto, absolute: string, shown: string): void {
  const folder = dirname(absolute);
  for (const tensor of graphTensors(model)) {
    if (tensor.dataLocation !== TensorProto_DataLocation.EXTERNAL) continue;
    const location = externalEntry(tensor, "location") ?? "";
    const what = `initializer '${tensor.name}' refers to external data '${location}'`;
    const found = externalDataFile(location, folder);
    if ("problem" in found) {
      const refused = /does not exist/.test(found.problem) ? `which does not exist (looked in ${folder})` : `refused: ${found.problem}`;
      throw new ModelError(`${shown}: ${what}, ${refused}`, "E_EXTERNAL_DATA");
    }
    const bytes = tensorBytes(tensor.dataType, tensor.dims.map(Number));
    const offsetText = externalEntry(tensor, "offset") ?? "0";
    const lengthText = externalEntry(tensor, "length") ?? String(bytes);
    if (!/^\d+$/.test(offsetText) || !/^\d+$/.test(lengthText)) {
      throw new ModelError(`${shown}: ${what} with offset '${offsetText}' and length '${lengthText}': expected whole numbers of bytes`, "E_EXTERNAL_DATA");
    }
    const offset = Number(offsetText);
    const length = Number(lengthText);
    if (length !== bytes) {
      throw new ModelError(`${shown}: ${what} with length ${length}, but the tensor's dims and type take ${bytes} bytes`, "E_EXTERNAL_DATA");
    }
    const size = statSync(found.file).size;
    if (offset + length > size) {
      throw new ModelError(`${shown}: initializer '${tensor.name}' needs bytes ${offset}..${offset + length} of '${location}', which has ${size}`, "E_EXTERNAL_DATA");
    }
  }
}

/** Wraps onnxruntime's failure to load a model as a one-line ModelError (unsupported operator, bad data). */
export async function openSession(source: string | Uint8Array, shown: string, options = EXACT_SESSION_OPTIONS): Promise<HostSession> {
  try {
    return await createSession(source, options);
  } catch (error) {
    const message = String((error as Error).message ?? error).split("\n")[0]!.trim();
    const unsupported = /implementation for|not a registered|Unrecognized|No Op registered|NOT_IMPLEMENTED|is not supported/i.test(message);
    const external = /external/i.test(message);
    throw new ModelError(
      `${shown}: onnxruntime cannot load it${unsupported ? " (unsupported operator)" : ""}: ${message}`,
      unsupported ? "E_UNSUPPORTED_OP" : external ? "E_EXTERNAL_DATA" : "E_MODEL_FILE",
    );
  }
}

/** The file's sha256 (remembered, see split-cache.ts); an unreadable file gets readModelFile's one-line error. */
export function fileSha256(path: string): string {
  return memoisedSha256(path) ?? readModelFile(path).sha256;
}

/**
 * Types of every main-graph value, found by running the model once on seeded inputs with all
 * intermediate values exposed as outputs; cached per model hash and input shapes.
 */
export async function discoverShapes(file: ModelFile, inputShapes: Record<string, number[]> = {}): Promise<ShapeTable> {
  const cachePath = join(cacheDir("shapes"), `${file.sha256.slice(0, 24)}-${shortHash(JSON.stringify(inputShapes))}.json`);
  try {
    const entries = JSON.parse(readFileSync(cachePath, "utf8")) as [string, number, number[]][];
    return new Map(entries.map(([name, dataType, shape]) => [name, { dataType, shape }]));
  } catch {
    // Not cached yet, or damaged: discovered again below (and written anew).
  }
  const plan = planSplit(file.model, { inputShapes, granularity: "node" }, []);
  const graph = file.model.graph!;
  const declared = new Set(graph.output.map((o) => o.name));
  const exposed = plan.graph.nodes.flatMap((n) => n.outputs).filter((name) => !declared.has(name) && !plan.shapes.has(name));
  // External data of the original resolves against the probe's folder: the probe is written into the model's
  // artifact folder (never next to the user's model), its external files linked there as the split links them.
  const external = graphTensors(file.model).filter((t) => t.dataLocation === TensorProto_DataLocation.EXTERNAL);
  const probeFolder = external.length > 0 ? splitFolder(file.sha256) : undefined;
  const linkedData = external.map((tensor) => {
    const target = join(dirname(file.path), externalEntry(tensor, "location")!);
    linkInto(probeFolder!, target, externalLinkName(target));
    return tensor.externalData.map((e) => (e.key === "location" ? create(StringStringEntryProtoSchema, { key: e.key, value: externalLinkName(target) }) : e));
  });
  // Outputs and external locations are swapped in for the encoding only (a clone would copy every weight).
  const declaredOutputs = graph.output;
  const declaredData = external.map((t) => t.externalData);
  const declaredNodes = graph.node;
  const declaredInitializers = graph.initializer;
  graph.output = [...declaredOutputs, ...exposed.map((name) => create(ValueInfoProtoSchema, { name }))];
  external.forEach((t, i) => (t.externalData = linkedData[i]!));
  if (plan.graph.inlined.length > 0) {
    // Inlined If branches: the probe runs the graph as planned (the same values; the branch's are exposed).
    const planned = new Set(plan.graph.nodes.map((n) => n.proto));
    graph.node = [...declaredNodes.filter((n) => n.opType === "Constant" && !planned.has(n)), ...plan.graph.nodes.map((n) => n.proto)];
    graph.initializer = [...declaredInitializers, ...[...plan.graph.weights.values()].filter((w) => w.origin.kind === "inlined").map((w) => w.proto)];
  }
  let probeBytes: Uint8Array;
  try {
    probeBytes = encodeModel(file.model);
  } finally {
    graph.output = declaredOutputs;
    graph.node = declaredNodes;
    graph.initializer = declaredInitializers;
    external.forEach((t, i) => (t.externalData = declaredData[i]!));
  }
  let source: string | Uint8Array = probeBytes;
  if (probeFolder) {
    source = join(probeFolder, `probe-${process.pid}.onnx`);
    writeAtomically(source, probeBytes);
  }
  try {
    return await runProbe(file, source, plan, inputShapes, cachePath);
  } finally {
    if (typeof source === "string") rmSync(source, { force: true });
  }
}

async function runProbe(file: ModelFile, source: string | Uint8Array, plan: LayerPlan, inputShapes: Record<string, number[]>, cachePath: string): Promise<ShapeTable> {
  // Its failures become our one-line error, so onnxruntime's own log line (fatal only) stays off the terminal.
  const session = await openSession(source, file.path, { ...EXACT_SESSION_OPTIONS, logSeverityLevel: 4 });
  try {
    const feeds = Object.fromEntries(
      Object.entries(seededInputs(plan.inputs)).map(([name, input]) => [name, hostTensor(input.dtype, input.data, input.dims)]),
    );
    let results: Awaited<ReturnType<typeof session.run>>;
    try {
      results = await session.run(feeds);
    } catch (error) {
      // Shapes the model cannot take (a width its strides do not divide, say): onnxruntime's first line says why.
      const reason = String((error as Error).message ?? error).split("\n")[0]!.replace(/^.*Status Message: /, "");
      throw new ModelError(`${file.path}: the model does not run with input shapes ${Object.entries(inputShapes).map(([n, d]) => `${n}=${d.join("x")}`).join(", ") || "as declared"}: ${reason}`, "E_SHAPE");
    }
    const table: ShapeTable = new Map();
    for (const [name, tensor] of Object.entries(results)) {
      const dataType = dataTypeOfName(tensor.type);
      if (dataType !== undefined) table.set(name, { dataType, shape: [...tensor.dims] });
    }
    writeAtomically(cachePath, JSON.stringify([...table].map(([name, t]) => [name, t.dataType, t.shape])));
    return table;
  } finally {
    await session.release();
  }
}

/** Plans a model file, discovering shapes by running it when value_info leaves some unknown. */
export async function planFile(file: ModelFile, options: SplitOptions = {}): Promise<LayerPlan> {
  const planOptions: PlanOptions = { ...options };
  // Per-node boundaries include every grouping's (and the outputs tiling needs), and cannot fail on the cap.
  if (missingShapes(file.model, { inputShapes: options.inputShapes, granularity: "node" }).length > 0) {
    planOptions.shapes = await discoverShapes(file, options.inputShapes);
  }
  const plan = planSplit(file.model, planOptions);
  if (!hasHalfValues(plan.shapes)) return plan;
  const halfInFloat = await halfNodesInFloat(file.model, splitFolder(file.sha256), (bytes, sessionOptions) => openSession(bytes, file.path, sessionOptions));
  return planSplit(file.model, { ...planOptions, halfInFloat });
}

/**
 * Splits a model into layer files (cached by content hash and options) and returns its facts.
 * Each layer's `path` is a standalone ONNX file: load = create a session from it, exec = run, free = release.
 */
export async function splitModel(path: string, options: SplitOptions = {}): Promise<SplitModel> {
  const sha256 = fileSha256(path);
  const cached = cachedSplit(path, options, sha256);
  if (cached) return cached;
  const variant = splitVariant(options);
  const name = options.name ?? basename(path).replace(/\.onnx$/, "");
  const file = readModelFile(path); // refuses hostile external data before the cache is touched
  const dir = splitFolder(sha256);
  const started = Date.now();
  const plan = await planFile(file, options);
  const placer = new WeightPlacer(file, plan, dir, `${variant}.weights.bin`);
  const files: Record<string, ArtifactCheck> = {};
  const layers = plan.layers.map((layer) => {
    const fileName = `${variant}.${String(layer.info.index).padStart(4, "0")}-${layer.info.name.replace(/[^A-Za-z0-9_.-]+/g, "_").slice(0, 60)}.onnx`;
    const placed: { location: string; offset: number; length: number }[] = [];
    const bytes = encodeModel(
      layerModel(plan, layer, (w) => {
        const placement = placer.place(w);
        if ("location" in placement) placed.push(placement);
        return placement;
      }),
    );
    writeAtomically(join(dir, fileName), bytes);
    files[fileName] = { bytes: bytes.length, sha256: createHash("sha256").update(bytes).digest("hex") };
    return { ...layer.info, path: fileName, reads: [{ file: fileName, offset: 0, length: bytes.length }, ...coalesce(placed)] };
  });
  Object.assign(files, placer.finish());
  const split: SplitModel = { name, path: file.path, sha256: file.sha256, inputs: plan.inputs, outputs: plan.outputs, layers, weightsBytes: plan.weightsBytes };
  if (plan.graph.inlined.length > 0) split.inlined = plan.graph.inlined;
  const sources: ExternalSource[] = [...new Set(graphTensors(file.model)
    .filter((t) => t.dataLocation === TensorProto_DataLocation.EXTERNAL)
    .map((t) => externalEntry(t, "location")!))]
    .map((location) => ({ location, sha256: fileSha256(join(dirname(file.path), location)) }));
  const manifest: SplitManifest = { ...split, files, sources };
  // Written last and atomically: a manifest present means every layer file is complete.
  writeAtomically(manifestPath(sha256, variant), JSON.stringify(manifest));
  const tookMs = Date.now() - started;
  if (tookMs >= ANNOUNCE_MS) process.stderr.write(`mema: split ${name} into ${layers.length} layers in ${(tookMs / 1000).toFixed(1)} s (cached for next time)\n`);
  return inFolder(split, dir, name, file.path);
}

/** Byte ranges per file, sorted, overlapping or touching ones joined: what a load reads, in file order. */
export function coalesce(ranges: { location: string; offset: number; length: number }[]): FileRange[] {
  const sorted = ranges.filter((r) => r.length > 0).sort((a, b) => (a.location < b.location ? -1 : a.location > b.location ? 1 : a.offset - b.offset));
  const out: FileRange[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && last.file === r.location && r.offset <= last.offset + last.length) {
      last.length = Math.max(last.length, r.offset + r.length - last.offset);
    } else {
      out.push({ file: r.location, offset: r.offset, length: r.length });
    }
  }
  return out;
}

/** The name under which an external-data file of the original is linked into the artifact folder. */
function externalLinkName(target: string): string {
  return `source-${shortHash(target)}-${basename(target)}`;
}

/**
 * Makes `dir/as` the file `target`: a hard link shares the bytes; across file systems (no hard link possible)
 * a copy, made once per model. A symlink would not do: onnxruntime resolves it and rejects the target outside
 * the folder. An existing `dir/as` with the target's content is kept (another process linked it first): never
 * write through it, it is the original; one whose content differs is replaced.
 */
function linkInto(dir: string, target: string, as: string): void {
  const linkPath = join(dir, as);
  if (existsSync(linkPath)) {
    if (memoisedSha256(linkPath) === memoisedSha256(target)) return;
    rmSync(linkPath, { force: true }); // damaged, or the original changed since: link it again
  }
  try {
    // The file itself, not a symlink to it (link() does not follow one; onnxruntime would, out of the folder).
    linkSync(realpathSync(target), linkPath);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return;
    try {
      replaceFile(linkPath, (temp) => copyFileSync(target, temp, constants.COPYFILE_EXCL));
    } catch (copyError) {
      throw cacheError(dir, copyError);
    }
  }
}

/**
 * Decides where each layer weight's bytes come from: a range of the original file (linked into the
 * artifact folder, since onnxruntime only follows external-data paths inside the model's folder),
 * or, for weights not stored as raw bytes in a file (float_data, Constant attributes without raw_data,
 * non-contiguous tile slices), one side file `<variant>.weights.bin` written once.
 */
class WeightPlacer {
  private readonly offsets;
  private readonly links = new Map<string, string>();
  private readonly side: Uint8Array[] = [];
  private sideBytes = 0;
  private readonly sidePlaced = new Map<string, ByteRange>();

  constructor(
    private readonly file: ModelFile,
    private readonly plan: LayerPlan,
    private readonly dir: string,
    private readonly sideFile: string,
  ) {
    this.offsets = scanRawData(file.bytes, file.path);
  }

  place(weight: LayerWeight): WeightPlacement {
    const source = this.plan.graph.weights.get(weight.source)!;
    const located = this.locate(source);
    if (weight.bytes <= INLINE_WEIGHT_BYTES || !located || (weight.slice && !sliceIsContiguous(source.dims, weight.slice.axis))) {
      return this.materialize(weight, source, located);
    }
    let offset = located.range.offset;
    if (weight.slice) offset += weight.slice.start * (source.bytes / source.dims[weight.slice.axis]!);
    return { location: located.location, offset, length: weight.bytes };
  }

  /** The file (relative to the artifact folder) and byte range holding a weight's raw bytes, if any. */
  private locate(weight: WeightTensor): { location: string; range: ByteRange } | undefined {
    const origin = weight.origin;
    const range =
      origin.kind === "initializer" ? this.offsets.initializers.get(weight.name) : origin.kind === "constant" ? this.offsets.constants.get(origin.fileIndex) : undefined;
    if (range && range.length === weight.bytes) return { location: this.link(this.file.path, "source.onnx"), range };
    if (weight.proto.dataLocation === TensorProto_DataLocation.EXTERNAL) {
      const location = externalEntry(weight.proto, "location")!;
      const target = join(dirname(this.file.path), location);
      return {
        location: this.link(target, externalLinkName(target)),
        range: { offset: Number(externalEntry(weight.proto, "offset") ?? 0), length: weight.bytes },
      };
    }
    return undefined;
  }

  private link(target: string, as: string): string {
    const known = this.links.get(target);
    if (known) return known;
    linkInto(this.dir, target, as);
    this.links.set(target, as);
    return as;
  }

  private sourceBytes(weight: WeightTensor, located: { location: string; range: ByteRange } | undefined): Uint8Array {
    if (located) {
      if (located.location === "source.onnx") return this.file.bytes.subarray(located.range.offset, located.range.offset + located.range.length);
      const bytes = readFileSync(join(this.dir, located.location));
      return bytes.subarray(located.range.offset, located.range.offset + located.range.length);
    }
    const bytes = tensorDataBytes(weight.proto);
    if (!bytes) throw new ModelError(`${this.file.path}: weight '${weight.name}' holds no data`, "E_MODEL_FILE");
    return bytes;
  }

  private materialize(weight: LayerWeight, source: WeightTensor, located: { location: string; range: ByteRange } | undefined): WeightPlacement {
    let bytes = this.sourceBytes(source, located);
    if (weight.slice) {
      bytes = sliceBytes(bytes, source.dims, dtypeFacts(source.dataType).bytes, weight.slice.axis, weight.slice.start, weight.slice.end);
    }
    if (bytes.length <= INLINE_WEIGHT_BYTES) return { inline: bytes.slice() };
    const key = weight.slice ? `${weight.source}@${weight.slice.axis}:${weight.slice.start}:${weight.slice.end}` : weight.source;
    let range = this.sidePlaced.get(key);
    if (!range) {
      range = { offset: this.sideBytes, length: bytes.length };
      this.side.push(bytes);
      this.sideBytes += bytes.length;
      this.sidePlaced.set(key, range);
    }
    return { location: this.sideFile, ...range };
  }

  /** Writes the side file; the checks of every large file the layers read (see split-cache.ts, ArtifactCheck). */
  finish(): Record<string, ArtifactCheck> {
    const checks: Record<string, ArtifactCheck> = {};
    for (const [target, as] of this.links) {
      const sha256 = target === this.file.path ? this.file.sha256 : fileSha256(target);
      checks[as] = { bytes: statSync(join(this.dir, as)).size, sha256, memoised: true };
    }
    if (this.side.length === 0) return checks;
    const all = new Uint8Array(this.sideBytes);
    let at = 0;
    for (const chunk of this.side) {
      all.set(chunk, at);
      at += chunk.length;
    }
    writeAtomically(join(this.dir, this.sideFile), all);
    checks[this.sideFile] = { bytes: all.length, sha256: createHash("sha256").update(all).digest("hex"), memoised: true };
    return checks;
  }
}

/** Runs `work` for model `name` of a scenario file: missing or wrong input shapes are said of its `shapes` option. */
export async function inScenario<T>(name: string, path: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw error instanceof MissingShapesError || error instanceof ShapeOptionError ? error.forScenario(name, path) : error;
  }
}

/**
 * The layers of the pipelines' model files for the simulator, planned without writing layer files: each
 * file read and planned once (shapes discovered where needed), then split again on request with a cap
 * (tiling) or into merged units.
 */
export async function fileLayerPlanner(models: readonly ModelPlan[]): Promise<(model: ModelPlan, capBytes?: number, mergeBytes?: number) => LayerInfo[]> {
  const files = new Map<string, { model: ModelProto; shapes: ShapeTable; halfInFloat?: ReadonlySet<string>; layers: LayerInfo[] }>();
  for (const model of models) {
    if (model.source.kind !== "file" || files.has(model.source.path)) continue;
    const read = readModelFile(model.source.path);
    const plan = await inScenario(model.name, model.source.path, () => planFile(read, { inputShapes: model.shapes }));
    files.set(model.source.path, { model: read.model, shapes: plan.shapes, halfInFloat: plan.halfInFloat, layers: plan.layers.map((l) => l.info) });
  }
  return (model, capBytes, mergeBytes) => {
    const entry = files.get((model.source as { path: string }).path);
    if (!entry) throw new Error(`model ${model.name}: not a planned model file`);
    if (capBytes === undefined && mergeBytes === undefined) return entry.layers;
    return planSplit(entry.model, {
      inputShapes: model.shapes,
      shapes: entry.shapes,
      ...(entry.halfInFloat ? { halfInFloat: entry.halfInFloat } : {}),
      ...(capBytes === undefined ? {} : { capBytes }),
      ...(mergeBytes === undefined ? {} : { granularity: "merged" as const, mergeBytes }),
    }).layers.map((l) => l.info);
  };
}
