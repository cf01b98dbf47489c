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
 * The weights per merged unit for a budget. Every session costs a fixed ~1-7 ms to create and every step a
 * round trip to a worker, so fewer, larger units are faster (runtime/execute/README.md, "Units of work"):
 * with ample memory a unit is a whole network; under a budget a unit gets at most a quarter of it, so that
 * the ledger holds a unit executing on each lane and one loading ahead (half the budget serialised the
 * lanes under tight budgets).
 */
export function mergeBytesFor(budgetBytes: number | null): number {
  if (budgetBytes === null) return Number.MAX_SAFE_INTEGER;
  return Math.max(MIN_MERGE_BYTES, Math.floor(budgetBytes / 4));
}
const MIN_MERGE_BYTES = 1024 * 1024;

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
