// What the kernel counts and what it is asked, for one thread: bytes read from storage, reading a file range
// into the page cache, dropping it again, giving freed heap back and keeping the C library from holding it
// (the malloc threshold). Plain JavaScript (the session workers import it without a TypeScript loader); the C
// library is reached through koffi, in Node, Bun and Deno alike.
import { closeSync, fdatasyncSync, openSync, readFileSync, readSync, realpathSync } from "node:fs";
import { createRequire } from "node:module";

let libc;
/** posix_fadvise, malloc_trim, mallopt, madvise and setenv from the process's C library, or null where they cannot be reached. */
function clib() {
  if (libc !== undefined) return libc;
  libc = null;
  try {
    // koffi is loaded only here, on first use: a thread that never drops pages never pays for it.
    const koffi = createRequire(import.meta.url)("koffi");
    const self = koffi.load(null);
    libc = {
      fadvise: self.func("int posix_fadvise(int fd, int64_t offset, int64_t len, int advice)"),
      trim: safeFunc(self, "int malloc_trim(size_t pad)"),
      madvise: safeFunc(self, "int madvise(uintptr_t addr, size_t length, int advice)"),
      setenv: safeFunc(self, "int setenv(const char *name, const char *value, int overwrite)"),
      mallopt: safeFunc(self, "int mallopt(int param, int value)"),
    };
  } catch {
    libc = null;
  }
  return libc;
}

function safeFunc(lib, signature) {
  try {
    return lib.func(signature);
  } catch {
    return null;
  }
}

/**
 * Sets `name` in the C library's environment, where native code reads it with getenv, unless it is set there
 * already; false where the call cannot be reached. Bun keeps process.env apart from it.
 */
export function setNativeEnvDefault(name, value) {
  const setenv = clib()?.setenv;
  return setenv ? setenv(name, value, 0) === 0 : false;
}

const POSIX_FADV_RANDOM = 1;
const POSIX_FADV_DONTNEED = 4;

/** Bytes this thread caused to be read from storage so far (Linux /proc/thread-self/io), or null. */
export function threadReadBytes() {
  return ioReadBytes("/proc/thread-self/io");
}

/** Bytes the whole process (every thread, finished ones too) caused to be read from storage, or null. */
export function processReadBytes() {
  return ioReadBytes("/proc/self/io");
}

function ioReadBytes(path) {
  try {
    const match = /^read_bytes: (\d+)$/m.exec(readFileSync(path, "latin1"));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

const CHUNK_BYTES = 1 << 20;
let scratch;

/**
 * Reads `ranges` ({ file, offset, length }) through the page cache, in order, so that a session mapping
 * these bytes finds them in memory: onnxruntime maps external data and would otherwise read it on first
 * use, inside `run`. The bytes land in the page cache only (one reused 1 MiB buffer), without readahead.
 */
export function readRanges(ranges) {
  scratch ??= new Uint8Array(CHUNK_BYTES);
  // No readahead past the ranges: the kernel's window (8 MiB on some disks) would read the next layer's
  // weights too, spending the device's bandwidth on bytes nobody asked for yet.
  eachRange(ranges, (fd) => clib()?.fadvise(fd, 0, 0, POSIX_FADV_RANDOM), (fd, range) => {
    const end = range.offset + range.length;
    for (let at = range.offset; at < end; ) {
      const read = readSync(fd, scratch, 0, Math.min(CHUNK_BYTES, end - at), at);
      if (read === 0) break;
      at += read;
    }
  });
}

/** Calls `onRange(fd, range)` for each range in order, each file opened once (`onOpen(fd)` then) and closed. */
function eachRange(ranges, onOpen, onRange) {
  let fd;
  let open;
  try {
    for (const range of ranges) {
      if (open !== range.file) {
        if (fd !== undefined) closeSync(fd);
        fd = openSync(range.file, "r");
        open = range.file;
        onOpen(fd);
      }
      onRange(fd, range);
    }
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Asks the kernel to drop `ranges` from the page cache (posix_fadvise DONTNEED): once a session is released
 * its weights' pages are cached file data that the memory budget no longer counts. Pages still mapped by a
 * live session (another copy of the same layer) are kept by the kernel. False where it cannot be asked.
 */
export function dropRanges(ranges) {
  const lib = clib();
  if (!lib) return false;
  try {
    // Dirty pages (a file written moments ago) are not dropped: write them back first (a no-op when clean).
    eachRange(ranges, (fd) => fdatasyncSync(fd), (fd, range) => lib.fadvise(fd, range.offset, range.length, POSIX_FADV_DONTNEED));
    return true;
  } catch {
    return false;
  }
}

/** Gives free heap memory back to the system (glibc malloc_trim); false where there is no such call. */
export function trimHeap() {
  const lib = clib();
  if (!lib?.trim) return false;
  lib.trim(0);
  return true;
}

const M_MMAP_THRESHOLD = -3;

/**
 * Fixes the C library's mmap threshold at `bytes` for the whole process (glibc mallopt, every thread's arena):
 * a block of that size or more gets a mapping of its own, which its free unmaps at once. By default glibc
 * raises the threshold to the size of each large block freed (up to 32 MiB), after which onnxruntime's
 * outputs and scratch buffers of a few MiB come from the threads' heaps, where freed memory stays until a
 * trim and the heaps grow apart between trims. The heaps' free memory is trimmed at once, so that blocks freed
 * before the call do not keep serving those sizes. Returns false where the call cannot be reached (not glibc).
 */
export function fixMmapThreshold(bytes) {
  // Once per process and size: a sweep's runs share one process, and each trim walks every arena.
  if (fixedThreshold === bytes) return true;
  const lib = clib();
  if (!lib?.mallopt || lib.mallopt(M_MMAP_THRESHOLD, bytes) !== 1) return false;
  fixedThreshold = bytes;
  // A heap that already holds a large free block would keep serving such sizes from it: give it back first.
  lib.trim?.(0);
  return true;
}
let fixedThreshold;

/** glibc's dynamic threshold grows up to this (DEFAULT_MMAP_THRESHOLD_MAX on 64-bit systems). */
const GLIBC_MMAP_THRESHOLD_MAX = 32 << 20;

/**
 * Undoes fixMmapThreshold as far as glibc allows: once set, the threshold no longer grows by itself, so a fixed
 * one goes to the most glibc's own would grow to. Nothing where it was never fixed.
 */
export function relaxMmapThreshold() {
  if (fixedThreshold === undefined || fixedThreshold === GLIBC_MMAP_THRESHOLD_MAX) return;
  if (clib()?.mallopt?.(M_MMAP_THRESHOLD, GLIBC_MMAP_THRESHOLD_MAX) === 1) fixedThreshold = GLIBC_MMAP_THRESHOLD_MAX;
}

const MADV_DONTNEED = 4;
const MADV_POPULATE_READ = 22;

/**
 * Maps the pages of `ranges` into every mapping of them this process holds (madvise MADV_POPULATE_READ, Linux
 * 5.14+), after a session mapped its weights: onnxruntime maps external data at creation but touches it only in
 * `run`, and until then the pages readRanges put in the page cache belong to no mapping. Unmapped cached pages
 * are what reclaim takes first: the cgroup's when its limit is near, or a proactive reclaimer (measured on
 * this project's machines: DAMON paging out unmapped file pages took 5-16 pages of a unit between its load
 * and its exec, whose fault then read 2.3-3.9 MB around them, neighbours' weights included). Mapped, they stay
 * like any page a process uses, and the exec faults nothing. The pages are in the cache already: this reads
 * nothing unless reclaim was quicker. Returns the bytes of mappings advised (0 where it cannot be asked).
 */
export function mapInPlace(ranges) {
  const lib = clib();
  if (!lib?.madvise || ranges.length === 0) return 0;
  let maps;
  try {
    maps = readFileSync("/proc/self/maps", "latin1");
  } catch {
    return 0;
  }
  const wanted = new Map();
  for (const range of ranges) {
    const path = realPath(range.file);
    const list = wanted.get(path);
    if (list) list.push(range);
    else wanted.set(path, [range]);
  }
  let advised = 0;
  for (const line of maps.split("\n")) {
    // start-end perms offset dev inode path; most lines are other files' and anonymous memory
    const slash = line.indexOf("/");
    const wantedRanges = slash > 0 ? wanted.get(line.slice(slash)) : undefined;
    const match = wantedRanges && /^([0-9a-f]+)-([0-9a-f]+) \S+ ([0-9a-f]+) /.exec(line);
    if (!match) continue;
    const start = parseInt(match[1], 16);
    const size = parseInt(match[2], 16) - start;
    const offset = parseInt(match[3], 16);
    if (!wantedRanges.some((r) => r.offset < offset + size && offset < r.offset + r.length)) continue;
    if (lib.madvise(start, size, MADV_POPULATE_READ) === 0) advised += size;
  }
  return advised;
}

const realPaths = new Map();
function realPath(file) {
  let path = realPaths.get(file);
  if (path === undefined) {
    try {
      path = realpathSync(file);
    } catch {
      path = file;
    }
    realPaths.set(file, path);
  }
  return path;
}

/**
 * Unmaps the pages of code and read-only data that start-up touched and a run does not need again: the
 * runtime's own executable and onnxruntime's library, whose first session registers every kernel and operator
 * schema (measured: +17 MiB of onnxruntime's code resident after one session, of which about 7 MiB come back
 * when sessions are made and run again), and the executable's read-only data (Node's: symbol tables, ICU data,
 * the start-up snapshot; 18 MiB resident at a run's peak, light at 1/2 of its weights under --emulate rpi4).
 * Only private, read-only or read-and-execute file mappings that hold no anonymous page are advised
 * (MADV_DONTNEED): their pages are unmodified copies of the file, so a page touched again is faulted back in
 * from the page cache. A page written since mapping (relocations: RELRO is read-only after they are applied)
 * is anonymous, and a mapping holding one is left alone: advising it would lose the write.
 * Measured there (RSS before the first load, peak RSS): 81 -> 62 MiB, 183 -> 173 MiB, the same bytes read.
 * Returns the bytes of mappings advised (0 where it cannot be asked: not Linux, no C library).
 */
export function releaseStartupCode() {
  const lib = clib();
  if (!lib?.madvise) return 0;
  let smaps;
  let exe;
  try {
    smaps = readFileSync("/proc/self/smaps", "latin1");
    exe = realpathSync(process.execPath);
  } catch {
    return 0;
  }
  let advised = 0;
  for (const block of smaps.split(/\n(?=[0-9a-f]+-[0-9a-f]+ )/)) {
    const m = /^([0-9a-f]+)-([0-9a-f]+) (r-xp|r--p) \S+ \S+ [1-9]\d*\s+(\/.*)$/m.exec(block);
    if (!m || (m[4] !== exe && !/\/libonnxruntime\.so[.\d]*$/.test(m[4]))) continue;
    if (!/^Anonymous:\s+0 kB$/m.test(block)) continue;
    const start = Number.parseInt(m[1], 16);
    const length = Number.parseInt(m[2], 16) - start;
    if (lib.madvise(start, length, MADV_DONTNEED) === 0) advised += length;
  }
  return advised;
}
