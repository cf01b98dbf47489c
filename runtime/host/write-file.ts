// Writing an output file whole or not at all: a temp file beside it, then a rename, so that an interrupted
// or failed write never leaves a half-written or emptied file where an earlier one was.
import { chmodSync, chownSync, mkdirSync, readdirSync, realpathSync, renameSync, rmSync, statSync, type Stats, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";

let counter = 0;

/** The error with `path` (the name the caller gave) as its path: a write error of Node's names the temp file or nothing. */
function naming(error: unknown, path: string): unknown {
  if (error && typeof error === "object" && typeof (error as { code?: unknown }).code === "string") {
    try {
      (error as { path?: string }).path = path;
    } catch {
      // A frozen error keeps its own.
    }
  }
  return error;
}

function existing(path: string): { target: string; stat: Stats } | undefined {
  try {
    const target = realpathSync(path);
    return { target, stat: statSync(target) };
  } catch {
    return undefined;
  }
}

/** Whether process `pid` still runs (one of another user's counts: it may still be writing). */
export function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: unknown }).code === "EPERM";
  }
}

/** replaceFile's temporary names: `.NAME.PID-N.tmp`. */
const TEMPORARY = /^\..+\.(\d+)-\d+\.tmp$/;

/**
 * Removes from `dir` the temporary files whose process is gone: a write killed before its rename (SIGKILL,
 * the OOM killer) leaves one, up to a model's size. Those of live processes stay. `pattern` captures the
 * pid in a temporary file's name (default: replaceFile's names).
 */
export function removeDeadTemporaries(dir: string, pattern: RegExp = TEMPORARY): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const pid = pattern.exec(name)?.[1];
    if (pid !== undefined && !processAlive(Number(pid))) rmSync(join(dir, name), { force: true });
  }
}

/**
 * Makes the file `path` whole or not at all: `write(temp)` creates a temporary file beside it (which it must
 * create, not open: the name is new), then a rename puts it in place. A symlink at `path` is replaced, not
 * followed. On failure the temporary file goes and the error is thrown as it came.
 */
export function replaceFile(path: string, write: (temp: string) => void): void {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}-${counter++}.tmp`);
  try {
    write(temp);
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

/**
 * Writes `data` to `path` atomically: the file (or the one a symlink points to) is replaced by a rename,
 * keeping its mode (and owner, for root). A missing folder is created, only that one level unless `folders`
 * is "all" (the CLI refuses deeper ones up front, cli/output-paths.ts). A device or FIFO (`/dev/stdout`,
 * `/dev/full`) is written in place. Failures carry `path` as their path, whatever file failed.
 */
export function writeFileAtomically(path: string, data: string | Uint8Array, folders: "last" | "all" = "last"): void {
  const found = existing(path);
  try {
    if (found && !found.stat.isFile()) {
      writeFileSync(found.target, data);
      return;
    }
    const target = found?.target ?? path;
    if (!found) {
      try {
        mkdirSync(dirname(target), { recursive: folders === "all" });
      } catch (error) {
        if ((error as { code?: string }).code !== "EEXIST") throw error;
      }
    }
    let created = false;
    try {
      replaceFile(target, (temp) => {
        writeFileSync(temp, data, { flag: "wx" });
        created = true;
        if (found) {
          chmodSync(temp, found.stat.mode & 0o7777);
          if (process.getuid?.() === 0) chownSync(temp, found.stat.uid, found.stat.gid);
        }
      });
    } catch (error) {
      // A folder we may not create files in, holding a file we may write: written in place, as before.
      const code = (error as { code?: string }).code;
      if (!created && found && (code === "EACCES" || code === "EPERM" || code === "EROFS")) {
        writeFileSync(target, data);
        return;
      }
      throw error;
    }
  } catch (error) {
    throw naming(error, path);
  }
}
