// The unit of a run's load and exec steps: one layer, or consecutive layers merged into one session.
// Real runs and the simulator take it from here, so a simulated run schedules the same steps as a real one.
import type { NetworkSpec } from "./network.ts";

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
 * The weights per merged unit, for a budget and the weights of the run's networks (each counted once).
 *
 * When the budget holds every weight, nothing is read twice and a unit is an eighth of the budget (with the
 * weights in the page cache, fewer and larger units are faster: runtime/execute/README.md, "Units of work").
 * Below that, two costs pull apart. Kept weights get the budget less the room of the largest unit twice (one
 * executing, one loading: residency.ts), so every byte of unit size is read again each round. But every unit
 * also costs a fixed CPU time (creating its session, a round trip to a worker, the first touch of its pages),
 * which a slow CPU pays in full. With S bytes streamed per round (weights less budget), a unit of u bytes costs
 * about 2u of extra reading and S/u fixed costs per round; with the fixed cost worth K bytes of reading, the
 * sum is least at u = sqrt(S * K / 2). K is 2 MiB: ~20-40 ms of a unit's fixed cost at the rpi4's 0.4 CPU
 * against its 50 MB/s reads. A unit stays between 1 MiB and a quarter of the budget.
 *
 * Measured on the emulated rpi4 (single runs; repeats differ by about half a second), against an eighth of
 * the budget: MemA at 1/2 of its weights (17 MiB units instead of 34) 30.8-32.0 s vs 32.0-32.2 s; at 1/4
 * (20 instead of 17) 40.5 vs 39.1 s; at 1/8 44.1 vs 44.3 s; light at 1/4 (6.9 MiB instead of 3.4) 13.5-13.9 s
 * vs 14.4-14.9 s; at 1/8 16.3 vs 16.9 s; at 1/2 the same (7.4 vs 6.9 MiB units).
 */
export function mergeBytesFor(budgetBytes: number | null, weightBytes?: number): number {
  if (budgetBytes === null) return Number.MAX_SAFE_INTEGER;
  const streamed = weightBytes === undefined ? 0 : weightBytes - budgetBytes;
  if (streamed <= 0) return Math.max(MIN_MERGE_BYTES, Math.floor(budgetBytes / 8));
  const best = Math.sqrt((streamed * UNIT_FIXED_COST_BYTES) / 2);
  return Math.floor(Math.max(MIN_MERGE_BYTES, Math.min(best, budgetBytes / 4)));
}
const UNIT_FIXED_COST_BYTES = 2 * 1024 * 1024;
const MIN_MERGE_BYTES = 1024 * 1024;

/** The weights of a run's networks, each counted once (the `weightBytes` of mergeBytesFor and unitsFor). */
export function weightsOf(networks: readonly NetworkSpec[]): number {
  let bytes = 0;
  for (const network of networks) for (const layer of network.layers) bytes += layer.weightsBytes;
  return bytes;
}

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
export function unitsFor(granularity: Granularity, budgetBytes: number | null, weightBytes?: number): Units {
  if (granularity === "layers") return {};
  const mergeBytes = granularity === "merged" ? mergeBytesFor(budgetBytes, weightBytes) : granularity;
  return budgetBytes === null ? { mergeBytes } : { mergeBytes, capBytes: mergeBytes };
}

/** The key runs in the same units share their split networks under (the simulator's scenarios, a real run's variants). */
export function unitsKey(units: Units): string {
  return `${units.mergeBytes}/${units.capBytes}`;
}
