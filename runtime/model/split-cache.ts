// The split cache's light side: a model file's sha256 (remembered per inode, size and mtime), the key of a
// split variant, and a cached split read back from its JSON manifest and checked against what the split wrote.
// No protobuf and no onnxruntime here: a run whose splits are all cached loads only this module (split.ts,
// which parses and splits, is imported on a miss).
// Measured under tsx: split.ts and what it imports cost the main thread ~15-20 MiB of RSS.
import { createHash } from "node:crypto";
import { closeSync, openSync, readFileSync, readSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { cacheDir, cacheError, cachePath } from "../host/cache.ts";
import { replaceFile } from "../host/write-file.ts";
import type { PlanOptions } from "./split-plan.ts";
import type { SplitModel } from "./types.ts";

/** What selects a split of a file; as split.ts's SplitOptions (kept here as a type so nothing heavy loads). */
export interface SplitVariantOptions extends Omit<PlanOptions, "shapes"> {
  /** Name to report (zoo name); defaults to the file name. */
  name?: string;
}

/** Bumped when the artifact layout changes, so old caches are not reused. */
export const ARTIFACT_VERSION = 10;

export function shortHash(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 12);
}

/**
 * Another process splitting the same model may be loading these files: never let it see half of one. A failure
 * (read-only or full cache) is one E_CACHE line, and the temporary file goes.
 */
export function writeAtomically(path: string, data: string | Uint8Array): void {
  try {
    replaceFile(path, (temp) => writeFileSync(temp, data, { flag: "wx" }));
  } catch (error) {
    throw cacheError(path, error);
  }
}

/** Reused across calls: a fresh 4 MiB buffer per file made checking 86 small layer files cost 100+ ms. */
let chunk: Uint8Array | undefined;

function hashFile(path: string): string {
  const hash = createHash("sha256");
  const fd = openSync(path, "r");
  try {
    chunk ??= new Uint8Array(4 * 1024 * 1024);
    for (let read; (read = readSync(fd, chunk, 0, chunk.length, null)) > 0; ) hash.update(chunk.subarray(0, read));
  } finally {
    closeSync(fd);
  }
  return hash.digest("hex");
}

/**
 * The file's sha256, remembered per (device, inode, size, mtime) so a cached split does not read a 500 MB model
 * again: any write changes the mtime, so a changed file is hashed again (a write that puts the old mtime back is
 * not seen). The path is not part of the key: a hard link of the model in the cache shares its entry.
 * Undefined when `path` is not a regular file (split.ts then gives readModelFile's one-line error).
 */
export function memoisedSha256(path: string): string | undefined {
  const absolute = resolve(path);
  let key: string;
  try {
    const stat = statSync(absolute);
    if (!stat.isFile()) return undefined;
    key = shortHash(`${stat.dev}\0${stat.ino}\0${stat.size}\0${stat.mtimeMs}`);
  } catch {
    return undefined;
  }
  const memo = join(cacheDir("hashes"), `${key}.sha256`);
  let known: string | undefined;
  try {
    known = readFileSync(memo, "utf8").trim();
  } catch {
    known = undefined;
  }
  if (known && /^[0-9a-f]{64}$/.test(known)) return known;
  const sha256 = hashFile(absolute);
  writeAtomically(memo, sha256 + "\n");
  return sha256;
}

/** The hash that names a split variant's files (prefix) and manifest. */
export function splitVariant(options: SplitVariantOptions): string {
  return shortHash(JSON.stringify({
    v: ARTIFACT_VERSION, g: options.granularity ?? "layer", cap: options.capBytes, merge: options.mergeBytes,
    shapes: options.inputShapes ?? {}, min: options.minWeightBytes,
  }));
}

/**
 * One folder per model, shared by its variants (files prefixed by the variant's hash), so the original is
 * linked there once: onnxruntime 1.30 rejects external-data paths that are absolute or resolve outside the
 * layer file's folder, symlinks included.
 */
export function splitFolder(sha256: string): string {
  return cacheDir("layers", sha256.slice(0, 24));
}

export function manifestPath(sha256: string, variant: string): string {
  return join(splitFolder(sha256), `${variant}.split.json`);
}

/** The split folder's path, not created (a lookup must not write into the cache). */
function splitFolderPath(sha256: string): string {
  return cachePath("layers", sha256.slice(0, 24));
}

/**
 * What the split wrote or linked, recorded in its manifest and checked before the split is used again. Layer
 * files are small: their whole sha256 is checked on every use. Large files (the model's link, linked external
 * data, the side weights file) are checked by size, and by sha256 through memoisedSha256, which reads them
 * again only when their inode, size or mtime changed.
 */
export interface ArtifactCheck {
  bytes: number;
  sha256: string;
  /** Checked through memoisedSha256 (large files) rather than hashed on every use. */
  memoised?: boolean;
}

/** An external-data file of the original model: its location (relative to the model's folder) and content. */
export interface ExternalSource {
  location: string;
  sha256: string;
}

/** A split's manifest: the split, and what proves its files are the ones it wrote. */
export interface SplitManifest extends SplitModel {
  files: Record<string, ArtifactCheck>;
  sources: ExternalSource[];
}

/** What is wrong with a file of the split, or undefined when it is as recorded. */
function artifactProblem(path: string, check: ArtifactCheck): string | undefined {
  let size: number;
  try {
    const stat = statSync(path);
    if (!stat.isFile()) return "not a file";
    size = stat.size;
  } catch {
    return "missing";
  }
  if (size !== check.bytes) return `${size} bytes, expected ${check.bytes}`;
  const sha256 = check.memoised ? memoisedSha256(path) : hashFile(path);
  return sha256 === check.sha256 ? undefined : "content changed";
}

/**
 * Why a cached split cannot be used (a damaged or missing file, or external data of the original that changed
 * since), or undefined when every file is as the split wrote it. A damaged file is removed, so the split that
 * follows writes it again instead of keeping it.
 */
export function splitProblem(manifest: SplitManifest, dir: string, modelFolder: string): string | undefined {
  for (const [name, check] of Object.entries(manifest.files)) {
    const problem = artifactProblem(join(dir, name), check);
    if (problem) {
      if (problem !== "missing") rmSync(join(dir, name), { force: true });
      return `${name}: ${problem}`;
    }
  }
  for (const source of manifest.sources) {
    if (memoisedSha256(join(modelFolder, source.location)) !== source.sha256) return `external data '${source.location}' changed`;
  }
  return undefined;
}

/**
 * The split of `path` with these options if it is cached and intact (splitProblem), else undefined. A manifest
 * that cannot be read or a damaged file says so on stderr, in one line, before the split is made again.
 */
export function cachedSplit(path: string, options: SplitVariantOptions = {}, sha256 = memoisedSha256(path)): SplitModel | undefined {
  if (sha256 === undefined) return undefined;
  const dir = splitFolderPath(sha256);
  const manifest = join(dir, `${splitVariant(options)}.split.json`);
  const name = options.name ?? basename(path).replace(/\.onnx$/, "");
  let text: string;
  try {
    text = readFileSync(manifest, "utf8");
  } catch {
    return undefined;
  }
  let problem: string | undefined;
  try {
    const cached = JSON.parse(text) as SplitManifest;
    if (typeof cached.files !== "object" || !Array.isArray(cached.sources) || !Array.isArray(cached.layers)) throw new Error("incomplete");
    problem = splitProblem(cached, dir, resolve(path, ".."));
    if (!problem) {
      const { files: _files, sources: _sources, ...split } = cached;
      return inFolder(split, dir, name, resolve(path));
    }
  } catch {
    problem = `${basename(manifest)}: unreadable`;
  }
  rmSync(manifest, { force: true });
  process.stderr.write(`mema: the cached split of ${name} is damaged (${problem}); splitting it again\n`);
  return undefined;
}

/** A manifest's layer paths and read ranges (relative to the artifact folder) made absolute. */
export function inFolder(split: SplitModel, dir: string, name: string, path: string): SplitModel {
  return {
    ...split,
    name,
    path,
    layers: split.layers.map((l) => ({ ...l, path: join(dir, l.path!), reads: l.reads?.map((r) => ({ ...r, file: join(dir, r.file) })) })),
  };
}

/**
 * splitModel (split.ts) without loading the splitter when the split is cached: the path of a scenario's models
 * (runtime/execute), so missing input shapes are said as the model's `shapes:` option, not as --shape flags.
 */
export async function splitModelCached(path: string, options: SplitVariantOptions = {}): Promise<SplitModel> {
  const cached = cachedSplit(path, options);
  if (cached) return cached;
  const { inScenario, splitModel } = await import("./split.ts");
  return inScenario(options.name ?? path, path, () => splitModel(path, options));
}
