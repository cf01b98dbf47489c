// The Node file-system implementation of lang/'s SourceHost: imports, model and input files.
import { Buffer } from "node:buffer";
import { closeSync, existsSync, fstatSync, openSync, readSync, statSync, type Stats } from "node:fs";
import { dirname, isAbsolute, relative, resolve } from "node:path";
import { type SourceHost, type SourceText, tooLargeSource } from "../../lang/host.ts";
import { MAX_SOURCE_BYTES } from "../../lang/limits.ts";

/** What a file that is not a regular file is, in words. */
function kindOf(stat: Stats): string {
  if (stat.isDirectory()) return "a folder";
  if (stat.isFIFO()) return "a FIFO";
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return "a device";
  if (stat.isSocket()) return "a socket";
  return "not a file";
}

/**
 * A source file's text: only a regular file (a FIFO would block, /dev/zero never ends), and at most
 * MAX_SOURCE_BYTES of it, read in bounded steps (a file growing while it is read is refused, not followed).
 */
export function readSource(path: string): SourceText {
  let stat: Stats;
  try {
    stat = statSync(path);
  } catch {
    return undefined;
  }
  // Checked before opening: opening a FIFO for reading waits for a writer.
  if (!stat.isFile()) return { problem: `not a regular file (${kindOf(stat)})` };
  if (stat.size > MAX_SOURCE_BYTES) return tooLargeSource(stat.size);
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    return undefined;
  }
  try {
    if (!fstatSync(fd).isFile()) return { problem: "not a regular file" };
    // One byte more than expected: a file that grew since stat() is noticed.
    const buffer = Buffer.allocUnsafe(Math.min(stat.size, MAX_SOURCE_BYTES) + 1);
    let size = 0;
    while (size < buffer.length) {
      const n = readSync(fd, buffer, size, buffer.length - size, null);
      if (n === 0) break;
      size += n;
    }
    if (size === buffer.length) return size > MAX_SOURCE_BYTES ? tooLargeSource(size) : { problem: "changing while it is read" };
    return buffer.toString("utf8", 0, size);
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** Reads files relative to `cwd` (default: the process's working directory). */
export function fileHost(cwd: string = process.cwd()): SourceHost {
  return {
    readText(path) {
      return readSource(resolve(cwd, path));
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
