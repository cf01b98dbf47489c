// The split cache's light side: a model file's sha256 (remembered per path, inode, size and mtime), the key of a
// split variant, and a cached split read back from its JSON manifest. No protobuf and no onnxruntime here: a run
// whose splits are all cached loads only this module (split.ts, which parses and splits, is imported on a miss).
// Measured under tsx: split.ts and what it imports cost the main thread ~15-20 MiB of RSS.
import { createHash } from "node:crypto";
import { closeSync, existsSync, openSync, readFileSync, readSync, renameSync, statSync, writeFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { cacheDir } from "../host/cache.ts";
import type { PlanOptions } from "./plan.ts";
import type { SplitModel } from "./types.ts";

/** What selects a split of a file; as split.ts's SplitOptions (kept here as a type so nothing heavy loads). */
export interface SplitVariantOptions extends Omit<PlanOptions, "shapes"> {
  /** Name to report (zoo name); defaults to the file name. */
  name?: string;
}

/** Bumped when the artifact layout changes, so old caches are not reused. */
export const ARTIFACT_VERSION = 7;

export function shortHash(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 12);
}

/** Another process splitting the same model may be loading these files: never let it see half of one. */
export function writeAtomically(path: string, data: string | Uint8Array): void {
  const temp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(temp, data);
  renameSync(temp, path);
}

/**
 * The file's sha256, remembered per (path, inode, size, mtime) so a cached split does not read a 500 MB model
 * again; undefined when `path` is not a regular file (split.ts then gives readModelFile's one-line error).
 */
export function memoisedSha256(path: string): string | undefined {
  const absolute = resolve(path);
  let key: string;
  try {
    const stat = statSync(absolute);
    if (!stat.isFile()) return undefined;
    key = shortHash(`${absolute}\0${stat.ino}\0${stat.size}\0${stat.mtimeMs}`);
  } catch {
    return undefined;
  }
  const memo = join(cacheDir("hashes"), `${key}.sha256`);
  if (existsSync(memo)) return readFileSync(memo, "utf8").trim();
  const hash = createHash("sha256");
  const fd = openSync(absolute, "r");
  try {
    const chunk = new Uint8Array(4 * 1024 * 1024);
    for (let read; (read = readSync(fd, chunk, 0, chunk.length, null)) > 0; ) hash.update(chunk.subarray(0, read));
  } finally {
    closeSync(fd);
  }
  const sha256 = hash.digest("hex");
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

/** The split of `path` with these options if it is cached and complete (every layer file present), else undefined. */
export function cachedSplit(path: string, options: SplitVariantOptions = {}, sha256 = memoisedSha256(path)): SplitModel | undefined {
  if (sha256 === undefined) return undefined;
  const dir = splitFolder(sha256);
  const manifest = manifestPath(sha256, splitVariant(options));
  if (!existsSync(manifest)) return undefined;
  const cached = JSON.parse(readFileSync(manifest, "utf8")) as SplitModel;
  if (!cached.layers.every((l) => l.path && existsSync(join(dir, l.path)))) return undefined;
  return inFolder(cached, dir, options.name ?? basename(path).replace(/\.onnx$/, ""), resolve(path));
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

/** splitModel (split.ts) without loading the splitter when the split is cached. */
export async function splitModelCached(path: string, options: SplitVariantOptions = {}): Promise<SplitModel> {
  return cachedSplit(path, options) ?? (await import("./split.ts")).splitModel(path, options);
}
