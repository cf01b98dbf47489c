// Seeded weight values: each tensor's values depend only on (network, tensor name, fill), never on build order,
// so any tensor can be regenerated alone and a model file is the same bytes on every machine.
import type { WeightFill } from "./caffe-builder.ts";

/** Bump when the values produced here change: it is part of the zoo's cache key. */
export const WEIGHTS_VERSION = "mulberry32-v1";

/** FNV-1a over the UTF-16 code units: a 32-bit seed from a tensor's identity. */
export function seedOf(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * Fills a tensor's values chunk by chunk: `next(into)` writes the next `into.length` values (fewer at the end)
 * and returns how many it wrote. Chunks let a 400 MB tensor stream to disk through a small buffer.
 */
export class WeightStream {
  readonly #fill: WeightFill;
  #state: number;
  #remaining: number;

  constructor(seedText: string, fill: WeightFill, elements: number) {
    this.#fill = fill;
    this.#state = seedOf(seedText);
    this.#remaining = elements;
  }

  get remaining(): number {
    return this.#remaining;
  }

  next(into: Float32Array): number {
    const n = Math.min(into.length, this.#remaining);
    const fill = this.#fill;
    if (fill.kind === "constant") {
      into.fill(fill.value, 0, n);
    } else {
      // mulberry32 (runtime/schedule/random.ts), inlined: this loop writes 575 MB of weights; a test pins the two equal.
      const low = fill.low;
      const span = (fill.high - fill.low) / 4294967296;
      let s = this.#state;
      for (let i = 0; i < n; i++) {
        s = (s + 0x6d2b79f5) | 0;
        let t = Math.imul(s ^ (s >>> 15), 1 | s);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
        into[i] = low + ((t ^ (t >>> 14)) >>> 0) * span;
      }
      this.#state = s;
    }
    this.#remaining -= n;
    return n;
  }
}

/** A whole tensor's values at once (small tensors, tests). */
export function weightValues(seedText: string, fill: WeightFill, elements: number): Float32Array {
  const out = new Float32Array(elements);
  new WeightStream(seedText, fill, elements).next(out);
  return out;
}
