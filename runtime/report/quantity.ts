// How bytes and milliseconds are written for people (tables, axes, tooltips): binary units, fixed decimals,
// no locale (so every runtime and machine prints the same text).

const KIB = 1024;
const MIB = 1024 * KIB;
const GIB = 1024 * MIB;

/** `123 B`, `4.0 KiB`, `43.6 MiB`, `1.50 GiB`; `—` for null (no budget) or a non-finite value. */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return "—";
  const sign = bytes < 0 ? "-" : "";
  const b = Math.abs(bytes);
  if (b < KIB) return `${sign}${Math.round(b)} B`;
  if (b < MIB) return `${sign}${(b / KIB).toFixed(1)} KiB`;
  if (b < GIB) return `${sign}${(b / MIB).toFixed(1)} MiB`;
  return `${sign}${(b / GIB).toFixed(2)} GiB`;
}

/**
 * A memory budget as a user wrote it: `512 MB` (decimal) or `512 MiB` / `2 GiB` (binary) when the bytes are a
 * whole number of those units, else like formatBytes; `unlimited` when there is none.
 */
export function formatBudget(bytes: number | null): string {
  if (bytes === null) return "unlimited";
  if (bytes > 0) {
    for (const [unit, name] of [[GIB, "GiB"], [MIB, "MiB"], [1e9, "GB"], [1e6, "MB"]] as const) {
      if (bytes % unit === 0) return `${bytes / unit} ${name}`;
    }
  }
  return formatBytes(bytes);
}

/** `0.42 ms`, `12.3 ms`, `850 ms`, `1.25 s`, `73.4 s`, `2 min 05 s`: the unit follows the magnitude. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return "—";
  if (ms === 0) return "0 ms";
  const sign = ms < 0 ? "-" : "";
  const a = Math.abs(ms);
  if (a < 1) return `${sign}${a.toFixed(2)} ms`;
  if (a < 100) return `${sign}${a.toFixed(1)} ms`;
  if (a < 1000) return `${sign}${a.toFixed(0)} ms`;
  if (a < 10_000) return `${sign}${(a / 1000).toFixed(2)} s`;
  if (a < 120_000) return `${sign}${(a / 1000).toFixed(1)} s`;
  const totalS = Math.round(a / 1000);
  return `${sign}${Math.floor(totalS / 60)} min ${String(totalS % 60).padStart(2, "0")} s`;
}

/** One unit for a whole table column, so values line up and compare: ms below 10 s, s above. */
export interface TimeUnit {
  name: "ms" | "s";
  format(ms: number): string;
}

export function timeUnitFor(maxMs: number): TimeUnit {
  if (maxMs < 10_000) return { name: "ms", format: (ms) => (Number.isFinite(ms) ? ms.toFixed(1) : "—") };
  return { name: "s", format: (ms) => (Number.isFinite(ms) ? (ms / 1000).toFixed(3) : "—") };
}

/** `x1.23`: how many times `value` is `reference`; `—` when the reference is not positive. */
export function formatRatio(value: number, reference: number): string {
  if (!(reference > 0) || !Number.isFinite(value)) return "—";
  return `x${(value / reference).toFixed(2)}`;
}

/** A percentage with no decimals: `97%`. */
export function formatPercent(part: number, whole: number): string {
  if (!(whole > 0)) return "—";
  return `${Math.round((100 * part) / whole)}%`;
}
