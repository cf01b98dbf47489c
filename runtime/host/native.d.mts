// Types of native.mjs (plain JavaScript, shared with the session workers).
import type { FileRange } from "./session-protocol.ts";

/** Bytes this thread caused to be read from storage so far (Linux /proc/thread-self/io), or null. */
export function threadReadBytes(): number | null;
/** Bytes the whole process caused to be read from storage so far (Linux /proc/self/io), or null. */
export function processReadBytes(): number | null;
/** Reads the ranges through the page cache, in order, without readahead past them. */
export function readRanges(ranges: readonly FileRange[]): void;
/** Asks the kernel to drop the ranges from the page cache (pages still mapped stay); false where it cannot. */
export function dropRanges(ranges: readonly FileRange[]): boolean;
/** Maps the ranges' cached pages into every mapping of them in this process (MADV_POPULATE_READ); the bytes advised. */
export function mapInPlace(ranges: readonly FileRange[]): number;
/** Gives free heap memory back to the system (glibc malloc_trim); false where there is no such call. */
export function trimHeap(): boolean;
/** Fixes glibc's mmap threshold at `bytes` for the whole process (mallopt), then trims the heaps; false where there is no such call. */
export function fixMmapThreshold(bytes: number): boolean;
/** Undoes fixMmapThreshold as far as glibc allows (the threshold its own would grow to); nothing where it was never fixed. */
export function relaxMmapThreshold(): void;
/** Unmaps start-up code pages of the runtime's executable and onnxruntime (MADV_DONTNEED on their private
 * read-and-execute file mappings; touched pages fault back in from the page cache); the bytes advised. */
export function releaseStartupCode(): number;
/** Sets `name` in the C library's environment (what native code's getenv reads) unless set there; false where it cannot. */
export function setNativeEnvDefault(name: string, value: string): boolean;
