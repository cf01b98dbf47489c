// The Node file-system implementation of lang/'s SourceHost: imports, model and input files.
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, isAbsolute, relative, resolve } from "node:path";
import type { SourceHost } from "../../lang/host.ts";

/** Reads files relative to `cwd` (default: the process's working directory). */
export function fileHost(cwd: string = process.cwd()): SourceHost {
  return {
    readText(path) {
      try {
        return readFileSync(resolve(cwd, path), "utf8");
      } catch {
        return undefined;
      }
    },
    exists(path) {
      try {
        return existsSync(resolve(cwd, path)) && statSync(resolve(cwd, path)).isFile();
      } catch {
        return false;
      }
    },
    absolute: (path) => resolve(cwd, path),
    resolve: (fromFile, rel) => (isAbsolute(rel) ? resolve(rel) : resolve(cwd, dirname(fromFile), rel)),
    display(path) {
      const rel = relative(cwd, resolve(cwd, path));
      return rel === "" ? "." : rel.startsWith("..") && isAbsolute(path) ? path : rel;
    },
  };
}
