// What lang/ needs from the outside world to follow imports and check model files: kept abstract so
// lang/ imports no node: module (runtime/host/files.ts is the file-system implementation).
import { MAX_SOURCE_BYTES } from "./limits.ts";

/** What reading a source file gave: its text, undefined when there is no such file, or why it was refused. */
export type SourceText = string | { problem: string; tooLarge?: boolean } | undefined;

export interface SourceHost {
  /**
   * The text of a file; undefined when there is no such file; `{ problem }` when it is refused (a device, a
   * FIFO or a folder rather than a regular file, or a file over MAX_SOURCE_BYTES: lang/limits.ts).
   */
  readText(path: string): SourceText;
  /** Whether a file exists (model and input files). */
  exists(path: string): boolean;
  /** An absolute, normalised form of `path`: the identity of a file (import cycles, plan paths). */
  absolute(path: string): string;
  /** `relative` resolved against the directory of the file `fromFile` (absolute result). */
  resolve(fromFile: string, relative: string): string;
  /** How a path is shown to a person (relative to the working directory, say). */
  display(path: string): string;
}

/** The refusal of a source file over MAX_SOURCE_BYTES. */
export function tooLargeSource(bytes: number): { problem: string; tooLarge: true } {
  return { problem: `larger than ${MAX_SOURCE_BYTES / 1024 / 1024} MiB, the limit for a source file (${(bytes / 1024 / 1024).toFixed(1)} MiB or more)`, tooLarge: true };
}

/** Normalises a '/'-separated path: drops '.', folds '..', collapses repeated slashes. */
export function normalizePath(path: string): string {
  const absolute = path.startsWith("/");
  const parts: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (parts.length > 0 && parts[parts.length - 1] !== "..") parts.pop();
      else if (!absolute) parts.push("..");
    } else parts.push(part);
  }
  const joined = parts.join("/");
  return absolute ? `/${joined}` : joined || ".";
}

export function dirnameOf(path: string): string {
  const i = path.lastIndexOf("/");
  return i < 0 ? "." : i === 0 ? "/" : path.slice(0, i);
}

/** A host over an in-memory set of files ('/'-separated paths): for tests, browsers and editors. */
export function memoryHost(files: Record<string, string>, cwd = "/"): SourceHost {
  const absolute = (path: string) => normalizePath(path.startsWith("/") ? path : `${cwd}/${path}`);
  const table = new Map(Object.entries(files).map(([path, text]) => [absolute(path), text]));
  return {
    readText: (path) => {
      const text = table.get(absolute(path));
      // A UTF-16 unit is one to three bytes of UTF-8: the length bounds the file's size from below.
      return text !== undefined && text.length > MAX_SOURCE_BYTES ? tooLargeSource(text.length) : text;
    },
    exists: (path) => table.has(absolute(path)),
    absolute,
    resolve: (fromFile, relative) =>
      relative.startsWith("/") ? normalizePath(relative) : normalizePath(`${dirnameOf(absolute(fromFile))}/${relative}`),
    display: (path) => {
      const abs = absolute(path);
      const base = normalizePath(cwd);
      const prefix = base === "/" ? "/" : `${base}/`;
      return abs.startsWith(prefix) ? abs.slice(prefix.length) : abs;
    },
  };
}
