// Writes a zoo network's ONNX file into the cache on first use: weights streamed through a small buffer, written
// to a temporary file and renamed, the name keyed by a hash of the network's description and the generator version.
import { createHash } from "node:crypto";
import { readFileSync, rmSync, statfsSync, writeFileSync } from "node:fs";
import { open, readdir, readFile, rename, rm, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { cacheDir, cacheError } from "../../runtime/host/cache.ts";
import { removeDeadTemporaries, replaceFile } from "../../runtime/host/write-file.ts";
import { ModelError } from "../../runtime/model/errors.ts";
import { memoisedSha256 } from "../../runtime/model/split-cache.ts";
import type { ZooGraph } from "./caffe-builder.ts";
import { ZOO_GENERATOR_VERSION, zooGraph, zooName } from "./facts.ts";
import { WeightStream } from "./weights.ts";

export interface ZooProgress {
  network: string;
  bytesWritten: number;
  totalBytes: number;
}

/** Networks at least this large announce their generation on stderr. */
const ANNOUNCE_BYTES = 32 * 1024 * 1024;
const CHUNK_ELEMENTS = 1 << 20;

/** A short hash of everything that determines the file's bytes. */
export function zooFingerprint(graph: ZooGraph): string {
  const description = JSON.stringify({
    version: ZOO_GENERATOR_VERSION,
    input: graph.input,
    output: graph.output,
    nodes: graph.nodes,
    initializers: graph.initializers,
  });
  return createHash("sha256").update(description).digest("hex").slice(0, 16);
}

/** Where the network's file lives in the cache (whether or not it has been generated yet). */
export function zooCachePath(name: string): string {
  const n = zooName(name);
  return join(cacheDir("zoo"), `${n}-${zooFingerprint(zooGraph(n))}.onnx`);
}

const pending = new Map<string, Promise<string>>();

/**
 * The path of the network's ONNX file, generated on first use into cacheDir("zoo"). Concurrent calls share one
 * generation; other processes racing on the same file each write their own temporary file and rename it.
 */
export function zooModelPath(name: string, onProgress?: (progress: ZooProgress) => void): Promise<string> {
  const path = zooCachePath(name);
  let job = pending.get(path);
  if (!job) {
    job = ensureFile(zooName(name), path, onProgress).finally(() => pending.delete(path));
    pending.set(path, job);
  }
  return job;
}

async function ensureFile(name: string, path: string, onProgress?: (progress: ZooProgress) => void): Promise<string> {
  removeLeftovers(dirname(path));
  const graph = zooGraph(name);
  const existing = await stat(path).catch(() => undefined);
  if (existing) {
    const bytes = await expectedBytes(graph, path);
    const problem = existing.size !== bytes ? `${existing.size} bytes, expected ${bytes}` : contentProblem(path);
    if (!problem) return path;
    process.stderr.write(`mema: the cached model ${name} is damaged (${problem}); generating it again\n`);
    await rm(path, { force: true });
  }
  try {
    rememberBytes(path, await writeModelFile(graph, path, onProgress));
  } catch (error) {
    const { code } = error as { code?: unknown };
    throw typeof code === "string" && /^E[A-Z]+$/.test(code) && !(error instanceof ModelError) ? cacheError(dirname(path), error) : error;
  }
  rememberText(shaMemo(path), memoisedSha256(path)!);
  await removeStaleVersions(name, path);
  return path;
}

const shaMemo = (path: string) => join(cacheDir("hashes"), `${basename(path)}.sha256`);

/**
 * A same-size change to a generated file (bytes overwritten in the cache) makes its sha256 differ from the one
 * recorded at generation: memoisedSha256 reads the file again only when its inode, size or mtime changed, so an
 * intact file costs a stat. A file generated before the sha256 was recorded is trusted once and recorded.
 */
function contentProblem(path: string): string | undefined {
  const actual = memoisedSha256(path);
  let expected: string | undefined;
  try {
    expected = readFileSync(shaMemo(path), "utf8").trim();
  } catch {
    expected = undefined;
  }
  if (!expected || !/^[0-9a-f]{64}$/.test(expected)) {
    if (actual) rememberText(shaMemo(path), actual);
    return undefined;
  }
  return actual === expected ? undefined : "content changed since it was generated";
}

/** Temporary files of generations whose process is gone (killed mid-way): up to a model's size each. */
export function removeLeftovers(dir: string): void {
  removeDeadTemporaries(dir, /\.(\d+)\.[a-z0-9]*\.tmp$/);
}

const bytesMemo = (path: string) => join(cacheDir("hashes"), `${basename(path)}.bytes`);

/**
 * The size of the network's file. Knowing it takes laying the model out with protobuf (onnx-model.ts), whose
 * import alone costs ~12 MiB of RSS under tsx: it is remembered per file name (the name's fingerprint fixes the
 * bytes) in cacheDir("hashes"), so a run whose zoo files are generated does not load protobuf.
 */
async function expectedBytes(graph: ZooGraph, path: string): Promise<number> {
  const known = Number((await readFile(bytesMemo(path), "utf8").catch(() => "")).trim());
  if (Number.isSafeInteger(known) && known > 0) return known;
  const { modelFilePieces } = await import("./onnx-model.ts");
  const { totalBytes } = modelFilePieces(graph, ZOO_GENERATOR_VERSION);
  rememberBytes(path, totalBytes);
  return totalBytes;
}

function rememberBytes(path: string, bytes: number): void {
  rememberText(bytesMemo(path), String(bytes));
}

function rememberText(memo: string, text: string): void {
  try {
    replaceFile(memo, (temp) => writeFileSync(temp, `${text}\n`));
  } catch {
    // Only a memo: without it the next start checks the file again.
  }
}

/** Files of the same network from other generator versions: 2 GB per zoo version would pile up otherwise. */
async function removeStaleVersions(name: string, current: string): Promise<void> {
  const dir = dirname(current);
  const pattern = new RegExp(`^${name}-[0-9a-f]{16}\\.onnx$`);
  for (const file of await readdir(dir).catch(() => [] as string[])) {
    const path = join(dir, file);
    if (pattern.test(file) && path !== current) await rm(path, { force: true });
  }
}

/** Refuses to start a file its file system has no room for (statfs; skipped where the runtime lacks it). */
function checkFreeSpace(path: string, bytes: number): void {
  let free: number;
  try {
    const fs = statfsSync(dirname(path));
    free = Number(fs.bavail) * Number(fs.bsize);
  } catch {
    return;
  }
  if (!Number.isFinite(free) || free >= bytes) return;
  const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
  throw new ModelError(`${path}: the model takes ${mb(bytes)}, its file system has ${mb(free)} free`, "E_DISK_SPACE");
}

/**
 * Writes a graph as an ONNX file with seeded weights, streamed through a 4 MB buffer into a temporary file that
 * is renamed to `path` once complete (a crash never leaves a truncated model under the final name).
 */
export async function writeModelFile(
  graph: ZooGraph,
  path: string,
  onProgress?: (progress: ZooProgress) => void,
  options: { maxBytes?: number; maxFlag?: string } = {},
): Promise<number> {
  const { modelFilePieces } = await import("./onnx-model.ts");
  const { pieces, totalBytes } = modelFilePieces(graph, ZOO_GENERATOR_VERSION);
  if (options.maxBytes !== undefined && totalBytes > options.maxBytes) {
    throw new ModelError(
      `${path}: the model would take ${(totalBytes / 1e6).toFixed(1)} MB, over the limit of ${(options.maxBytes / 1e6).toFixed(1)} MB` +
        (options.maxFlag ? ` (${options.maxFlag} raises it)` : ""),
      "E_TOO_LARGE",
    );
  }
  checkFreeSpace(path, totalBytes);
  if (new Uint8Array(new Float32Array([1]).buffer)[3] !== 0x3f) {
    throw new Error("model generation needs a little-endian host (ONNX raw_data is little-endian)");
  }
  const name = graph.name;
  const announce = totalBytes >= ANNOUNCE_BYTES;
  const started = Date.now();
  const mb = (totalBytes / 1e6).toFixed(1);
  const tty = Boolean(process.stderr.isTTY);
  if (announce) process.stderr.write(`mema: generating model ${name} (${mb} MB) into ${path}${tty ? "" : "\n"}`);

  const temp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  // Ctrl-C or a kill mid-way, also while the file is being opened: the temporary file goes first. Alone, the listener then ends the process as the
  // signal would have; next to other listeners (a run passing Ctrl-C on), it stops the writing and leaves the rest to them.
  let interrupted: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    interrupted = signal;
    rmSync(temp, { force: true });
    if (process.listenerCount(signal) === 1) {
      stopListening();
      process.kill(process.pid, signal);
    }
  };
  const signals: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];
  const stopListening = () => signals.forEach((signal) => process.off(signal, onSignal));
  signals.forEach((signal) => process.on(signal, onSignal));
  const stopIfInterrupted = (): void => {
    if (interrupted) throw new ModelError(`generating ${name} was interrupted (${interrupted})`, "E_INPUT");
  };
  let written = 0;
  let lastPercent = -1;
  const report = (): void => {
    onProgress?.({ network: name, bytesWritten: written, totalBytes });
    const percent = Math.floor((100 * written) / totalBytes);
    if (announce && tty && percent !== lastPercent) {
      lastPercent = percent;
      process.stderr.write(`\rmema: generating model ${name} (${mb} MB) ${percent}%`);
    }
  };
  let file: Awaited<ReturnType<typeof open>> | undefined;
  try {
    file = await open(temp, "w");
    stopIfInterrupted();
    const chunk = new Float32Array(CHUNK_ELEMENTS);
    const chunkBytes = new Uint8Array(chunk.buffer);
    for (const piece of pieces) {
      if ("weights" in piece) {
        const elements = piece.bytes / 4;
        const stream = new WeightStream(`${graph.name}/${piece.weights.name}`, piece.weights.fill, elements);
        while (stream.remaining > 0) {
          stopIfInterrupted();
          const n = stream.next(chunk);
          await file.write(chunkBytes, 0, n * 4);
          written += n * 4;
          report();
        }
      } else {
        await file.write(piece.bytes);
        written += piece.bytes.length;
      }
    }
    await file.close();
    stopIfInterrupted();
    if (written !== totalBytes) throw new Error(`${name}: wrote ${written} bytes, expected ${totalBytes}`);
    await rename(temp, path);
  } catch (error) {
    await file?.close().catch(() => undefined);
    await rm(temp, { force: true });
    throw error;
  } finally {
    stopListening();
  }
  report();
  if (announce) {
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    process.stderr.write(`${tty ? "\r" : ""}mema: generated model ${name} (${mb} MB) in ${seconds} s\n`);
  }
  return totalBytes;
}
