// What lang/ needs from the outside world to follow imports and check model files: kept abstract so
// lang/ imports no node: module (runtime/host/files.ts is the file-system implementation).

export interface SourceHost {
  /** The text of a file, or undefined when it cannot be read. */
  readText(path: string): string | undefined;
  /** Whether a file exists (model and input files). */
  exists(path: string): boolean;
  /** An absolute, normalised form of `path`: the identity of a file (import cycles, plan paths). */
  absolute(path: string): string;
  /** `relative` resolved against the directory of the file `fromFile` (absolute result). */
  resolve(fromFile: string, relative: string): string;
  /** How a path is shown to a person (relative to the working directory, say). */
  display(path: string): string;
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
    readText: (path) => table.get(absolute(path)),
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
