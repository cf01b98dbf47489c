// Output flags (--json, --csv, --out, --timeline) checked before any work, and write failures as one line.
import { accessSync, constants, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { UsageError } from "./command.ts";

function statOf(path: string) {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/** The nearest existing folder a new path would be created under must be a writable folder. */
function checkCreatable(flag: string, path: string): void {
  let parent = dirname(resolve(path));
  let stat = statOf(parent);
  while (!stat && dirname(parent) !== parent) {
    parent = dirname(parent);
    stat = statOf(parent);
  }
  if (stat && !stat.isDirectory()) throw new UsageError(`--${flag} '${path}': cannot create it, '${parent}' is a file, not a folder`, "E_OUTPUT");
  try {
    accessSync(parent, constants.W_OK);
  } catch {
    throw new UsageError(`--${flag} '${path}': cannot write into '${parent}' (permission denied)`, "E_OUTPUT");
  }
}

/** `--json FILE` and the like: refused up front when FILE is a folder or cannot be created. */
export function checkOutputFile(flag: string, path: string | undefined): void {
  if (path === undefined) return;
  const stat = statOf(path);
  if (stat?.isDirectory()) throw new UsageError(`--${flag} '${path}' is a folder; expected a file path`, "E_OUTPUT");
  if (!stat) checkCreatable(flag, path);
}

/** `--csv DIR`: refused up front when DIR is a file or cannot be created. */
export function checkOutputDir(flag: string, path: string | undefined): void {
  if (path === undefined) return;
  const stat = statOf(path);
  if (stat && !stat.isDirectory()) throw new UsageError(`--${flag} '${path}' is a file; expected a folder (created if missing)`, "E_OUTPUT");
  if (!stat) checkCreatable(flag, path);
}

/** Runs `write`, turning a file-system failure (full disk, a path that changed meanwhile) into one line. */
export async function writingOutput<T>(write: () => Promise<T> | T): Promise<T> {
  try {
    return await write();
  } catch (error) {
    const { code, path } = error as { code?: unknown; path?: unknown };
    if (typeof code !== "string" || !/^E[A-Z]+$/.test(code)) throw error;
    throw new UsageError(`cannot write '${String(path ?? "?")}' (${code})`, "E_OUTPUT");
  }
}
