// How a freed block of several MiB leaves (or does not leave) the process, through the C library via koffi.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const MiB = 1 << 20;
let c;

function clib() {
  if (c !== undefined) return c;
  try {
    const koffi = createRequire(import.meta.url)("koffi");
    const self = koffi.load(null);
    const fields = ["arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost"];
    const info = koffi.struct("mema_mallinfo2", Object.fromEntries(fields.map((f) => [f, "size_t"])));
    c = {
      malloc: self.func("void *malloc(size_t size)"),
      free: self.func("void free(void *ptr)"),
      memset: self.func("void *memset(void *s, int c, size_t n)"),
      mallinfo2: self.func("mallinfo2", info, []),
    };
  } catch {
    c = null;
  }
  return c;
}

/**
 * Bytes of resident anonymous memory a freed block gave back, after a 30 MiB block was freed first (which
 * raises glibc's default mmap threshold to 30 MiB). The block is larger than all the free memory the heaps
 * hold, so it cannot be served from a free block that an earlier allocation left (Deno runs every test file
 * in one process): by glibc's default it grows a heap and stays there when freed; with a fixed threshold below
 * its size it is mapped on its own and unmapped when freed. Returns { block, heapFree, returned }, returned
 * null where the heaps hold too much free memory to tell; null where the C library cannot be reached.
 */
export function returnedOnFree() {
  const lib = clib();
  if (!lib) return null;
  lib.free(lib.malloc(30 * MiB));
  const heapFree = Number(lib.mallinfo2().fordblks);
  const block = Math.max(8 * MiB, Math.ceil((heapFree + 2 * MiB) / MiB) * MiB);
  if (block > 28 * MiB) return { block, heapFree, returned: null };
  const p = lib.malloc(block);
  lib.memset(p, 1, block);
  const before = rssAnon();
  lib.free(p);
  return { block, heapFree, returned: before - rssAnon() };
}

/** Resident anonymous memory of this process (Linux). */
export const rssAnon = () => Number(/^RssAnon:\s+(\d+) kB$/m.exec(readFileSync("/proc/self/status", "latin1"))?.[1] ?? Number.NaN) * 1024;
