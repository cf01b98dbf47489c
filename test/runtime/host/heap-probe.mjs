// How a freed block of a few MiB leaves (or does not leave) the process, through the C library via koffi.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const MiB = 1 << 20;
let c;

/**
 * Bytes of resident anonymous memory a freed 4 MiB block gave back, after an 8 MiB block was freed first
 * (which raises glibc's default mmap threshold past 4 MiB); null where the C library cannot be reached.
 */
export function returnedOnFree() {
  if (c === undefined) {
    try {
      const self = createRequire(import.meta.url)("koffi").load(null);
      c = { malloc: self.func("void *malloc(size_t size)"), free: self.func("void free(void *ptr)"), memset: self.func("void *memset(void *s, int c, size_t n)") };
    } catch {
      c = null;
    }
  }
  if (!c) return null;
  c.free(c.malloc(8 * MiB));
  const block = c.malloc(4 * MiB);
  c.memset(block, 1, 4 * MiB);
  const before = rssAnon();
  c.free(block);
  return before - rssAnon();
}

const rssAnon = () => Number(/^RssAnon:\s+(\d+) kB$/m.exec(readFileSync("/proc/self/status", "latin1"))?.[1] ?? Number.NaN) * 1024;
