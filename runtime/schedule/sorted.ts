// Binary search over arrays kept in ascending order: the engine's ready pools (steps by task id) and the
// ledger's positions ahead of a unit's frontier (numbers).

/**
 * Where `key` goes in `sorted` (ascending by `keyOf`) to keep it sorted: the first index whose key is not
 * below `key` (before any equal ones); `sorted.length` when every key is below.
 */
export function insertionIndex(sorted: readonly number[], key: number): number;
export function insertionIndex<T>(sorted: readonly T[], key: number, keyOf: (item: T) => number): number;
export function insertionIndex<T>(sorted: readonly T[], key: number, keyOf?: (item: T) => number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const at = keyOf ? keyOf(sorted[mid]!) : (sorted[mid] as number);
    if (at < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
