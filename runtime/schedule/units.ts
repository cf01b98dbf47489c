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
 * round trip to a worker, so fewer, larger units are faster when the weights are already in memory
 * (runtime/execute/README.md, "Units of work"): with ample memory a unit is a whole network. Under a budget a
 * unit gets an eighth of it: the room kept weights can have is the budget less the largest unit twice (one
 * executing, one loading: residency.ts), so smaller units keep more resident. Measured on the emulated rpi4
 * (MemA, 3 rounds; a quarter vs an eighth): at 1/2 of the weights 26.2 vs 24.8 s, reading 1.12x vs 1.01x the
 * least possible; at 1/4 31.3 vs 30.9 s (1.04x vs 1.03x). With every weight in the page cache an eighth is
 * ~20% slower than a quarter (light at 1/2: 1.6-1.8 s vs 2.0-2.2 s): the device's case decides.
 */
export function mergeBytesFor(budgetBytes: number | null): number {
  if (budgetBytes === null) return Number.MAX_SAFE_INTEGER;
  return Math.max(MIN_MERGE_BYTES, Math.floor(budgetBytes / 8));
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

/** The key runs in the same units share their split networks under (the simulator's scenarios, a real run's variants). */
export function unitsKey(units: Units): string {
  return `${units.mergeBytes}/${units.capBytes}`;
}
