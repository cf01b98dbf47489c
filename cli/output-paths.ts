// Output flags (--json, --csv, --out, --timeline) checked before any work, and write failures as one line.
import { accessSync, constants, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { UsageError } from "./command.ts";

function statOf(path: string) {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/**
 * `folder` must be a writable folder, or be missing in a folder that is one: mema creates the last folder a
 * user named in an output path, never a chain of them (a typo in a path as root made a tree of folders).
 */
function checkFolder(flag: string, path: string, folder: string): void {
  const stat = statOf(folder);
  let where = folder;
  if (!stat) {
    where = dirname(folder);
    const parent = statOf(where);
    if (!parent) throw new UsageError(`--${flag} '${path}': folder '${where}' does not exist (mema creates only the last folder of an output path)`, "E_OUTPUT");
    if (!parent.isDirectory()) throw new UsageError(`--${flag} '${path}': cannot create it, '${where}' is a file, not a folder`, "E_OUTPUT");
  } else if (!stat.isDirectory()) {
    throw new UsageError(`--${flag} '${path}': cannot create it, '${folder}' is a file, not a folder`, "E_OUTPUT");
  }
  try {
    accessSync(where, constants.W_OK);
  } catch {
    throw new UsageError(`--${flag} '${path}': cannot write into '${where}' (permission denied)`, "E_OUTPUT");
  }
}

/** `--json FILE` and the like: refused up front when FILE is a folder or cannot be created. */
export function checkOutputFile(flag: string, path: string | undefined): void {
  if (path === undefined) return;
  const stat = statOf(path);
  if (stat?.isDirectory()) throw new UsageError(`--${flag} '${path}' is a folder; expected a file path`, "E_OUTPUT");
  if (!stat) checkFolder(flag, path, dirname(resolve(path)));
}

/** `--csv DIR`: refused up front when DIR is a file or cannot be created. */
export function checkOutputDir(flag: string, path: string | undefined): void {
  if (path === undefined) return;
  const stat = statOf(path);
  if (stat && !stat.isDirectory()) throw new UsageError(`--${flag} '${path}' is a file; expected a folder (created if missing)`, "E_OUTPUT");
  checkFolder(flag, path, resolve(path));
}

/** The files `--csv DIR` writes. */
export const CSV_FILES = ["steps.csv", "networks.csv", "layers.csv"];

/**
 * An output that is one of the run's inputs (the scenario, a file it imports, a model, an image, a profile)
 * is refused: same file by device and inode, so another spelling, a symlink or a hard link is caught too.
 * `outputs` are the files a flag writes (`--csv DIR`: the three CSV files in it).
 */
export function checkNotInput(flag: string, path: string | undefined, inputs: readonly string[], outputs: readonly string[] = path === undefined ? [] : [path]): void {
  if (path === undefined) return;
  const ids = new Map<string, string>();
  for (const input of inputs) {
    const stat = statOf(input);
    if (stat?.isFile()) ids.set(`${stat.dev}:${stat.ino}`, input);
  }
  for (const output of outputs) {
    const stat = statOf(output);
    const input = stat?.isFile() ? ids.get(`${stat.dev}:${stat.ino}`) : undefined;
    if (input !== undefined) {
      const what = output === path ? `--${flag} '${path}'` : `--${flag} '${path}' (its ${output.slice(path.length).replace(/^[\\/]+/, "")})`;
      throw new UsageError(`${what} is an input of this run ('${input}'); refusing to overwrite it`, "E_OUTPUT");
    }
  }
}

/** checkNotInput for `--csv DIR`. */
export function checkDirNotInput(flag: string, dir: string | undefined, inputs: readonly string[]): void {
  if (dir !== undefined) checkNotInput(flag, dir, inputs, CSV_FILES.map((name) => join(dir, name)));
}

/** Runs `write`, turning a file-system failure (full disk, a path that changed meanwhile) into one line. */
export async function writingOutput<T>(write: () => Promise<T> | T, path?: string): Promise<T> {
  try {
    return await write();
  } catch (error) {
    const { code, path: failed } = error as { code?: unknown; path?: unknown };
    if (typeof code !== "string" || !/^E[A-Z]+$/.test(code)) throw error;
    throw new UsageError(`cannot write '${String(failed ?? path ?? "?")}' (${code})`, "E_OUTPUT");
  }
}
