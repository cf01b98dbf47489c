// Where generated models and layer artifacts live: outside git, keyed by content hash.
import { accessSync, constants, mkdirSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { ModelError } from "../model/errors.ts";
import { removeDeadTemporaries } from "./write-file.ts";

/** The cache's root: `$MEMA_CACHE_DIR`, else `$XDG_CACHE_HOME/mema`, else `~/.cache/mema` (not created). */
export function cacheRoot(): string {
  return process.env.MEMA_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "mema");
}

/** `cacheRoot()/parts...` without creating it (to look for what may be cached). */
export function cachePath(...parts: string[]): string {
  return resolve(cacheRoot(), ...parts);
}

/** A file-system failure inside the cache as the one line the CLI prints (E_CACHE), naming the folder and the fix. */
export function cacheError(path: string, error: unknown): ModelError {
  if (error instanceof ModelError) return error;
  const { code } = error as { code?: unknown };
  const reason = code === "EACCES" || code === "EPERM" ? "permission denied" : code === "EROFS" ? "read-only file system"
    : code === "ENOSPC" ? "no space left on device" : code === "ENOENT" ? "cannot be created" : code === "ENOTDIR" ? "a file is in the way"
    : typeof code === "string" ? code : String((error as Error)?.message ?? error).split("\n")[0];
  return new ModelError(`cannot write to the cache folder '${path}' (${reason}); set MEMA_CACHE_DIR to a writable folder`, "E_CACHE");
}

/**
 * `cacheRoot()/parts...`, created on first use and checked writable; else a one-line E_CACHE error. The
 * first call for a folder also removes the temporary files that writes killed mid-way left in it.
 * Folders are made one level at a time: Node 20's mkdirSync({ recursive: true }) never returns for a path
 * under /proc (it retries ENOENT forever).
 */
export function cacheDir(...parts: string[]): string {
  const dir = resolve(cacheRoot(), ...parts);
  try {
    makeFolder(dir);
    accessSync(dir, constants.W_OK);
  } catch (error) {
    throw cacheError(dir, error);
  }
  // Once per folder and process: what writes killed mid-way left there.
  if (!swept.has(dir)) {
    swept.add(dir);
    removeDeadTemporaries(dir);
  }
  return dir;
}
const swept = new Set<string>();

function makeFolder(dir: string): void {
  try {
    if (statSync(dir).isDirectory()) return;
    throw Object.assign(new Error(`${dir} is not a folder`), { code: "ENOTDIR" });
  } catch (error) {
    if ((error as { code?: unknown }).code !== "ENOENT") throw error;
  }
  const parent = dirname(dir);
  if (parent !== dir) makeFolder(parent);
  try {
    mkdirSync(dir);
  } catch (error) {
    if ((error as { code?: unknown }).code !== "EEXIST") throw error;
  }
}
