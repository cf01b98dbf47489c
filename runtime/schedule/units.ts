// The unit of a run's load and exec steps: one layer, or consecutive layers merged into one session.
// Real runs and the simulator take it from here, so a simulated run schedules the same steps as a real one.

/**
 * "layers": one session per layer (EdgeCaffe's unit); "merged": consecutive layers combined while their
 * weights stay within mergeBytesFor(budget); a number: merged up to that many bytes.
 */
export type Granularity = "layers" | "merged" | number;

/** The policies' own unit: `mema` runs merged units, EdgeCaffe's policies are defined on layers. */
export function defaultGranularity(policy: string): Granularity {
  return policy === "mema" ? "merged" : "layers";
}

/**
 * The weights per merged unit for a budget. With ample memory a unit is a whole network. Under a budget two
 * costs pull apart. The room kept weights can have is the budget less the largest unit twice (one executing,
 * one loading: residency.ts), so smaller units keep more resident and read less. But every unit costs a fixed
 * CPU time to create its session and a round trip to a worker, which a slow CPU pays in full.
 * So a unit gets a sixteenth of the budget, but at least 8 MiB (at 50 MB/s, 0.17 s of reading against a few
 * milliseconds of fixed cost), unless that is over a quarter of the budget.
 *
 * Measured on the emulated rpi4 (50 MB/s, 0.4 CPU; makespans of single runs, a quarter of a second apart
 * between repeats):
 * - MemA is bound by reading. At 1/2 of its weights a sixteenth beat an eighth: 31.4 s vs 32.4 s, reading
 *   1421 MiB vs 1449 MiB. At 1/4: 39.6 s vs 40.1 s.
 * - Light is bound by the CPU, and there an eighth or a sixteenth of a small budget made 1-3 MiB units.
 *   At 1/2, a sixteenth took 14.0 s and an eighth 11.3 s; at 1/4, 20.3 s and 15.9 s; a quarter took 13.9 s
 *   at 1/4 and 15.6 s at 1/8 (an eighth: 17.1 s).
 * With every weight in the page cache, larger units are faster still (runtime/execute/README.md, "Units of work").
 */
export function mergeBytesFor(budgetBytes: number | null): number {
  if (budgetBytes === null) return Number.MAX_SAFE_INTEGER;
  return Math.max(MIN_MERGE_BYTES, Math.floor(budgetBytes / 16), Math.min(FLOOR_MERGE_BYTES, Math.floor(budgetBytes / 4)));
}
const MIN_MERGE_BYTES = 1024 * 1024;
const FLOOR_MERGE_BYTES = 8 * 1024 * 1024;

/** A run's units: layers merged up to `mergeBytes` (absent: one per layer), layers over `capBytes` cut into tiles. */
export interface Units {
  mergeBytes?: number;
  capBytes?: number;
}

/**
 * The units of a run. Merged units under a budget also cut larger layers into tiles of at most a unit:
 * a layer bigger than a unit would otherwise take the room that keeps weights resident (residency.ts
 * plans around the largest load), and a tile streams through where the whole layer could not.
 */
export function unitsFor(granularity: Granularity, budgetBytes: number | null): Units {
  if (granularity === "layers") return {};
  const mergeBytes = granularity === "merged" ? mergeBytesFor(budgetBytes) : granularity;
  return budgetBytes === null ? { mergeBytes } : { mergeBytes, capBytes: mergeBytes };
}

/** The key runs in the same units share their split networks under (the simulator's scenarios, a real run's variants). */
export function unitsKey(units: Units): string {
  return `${units.mergeBytes}/${units.capBytes}`;
}
