// Units of sizes and durations. MB is SI (10^6 bytes), MiB binary (2^20 bytes), as grammar.md says.

export const BYTES_PER_UNIT: Readonly<Record<string, number>> = {
  B: 1,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  KiB: 2 ** 10,
  MiB: 2 ** 20,
  GiB: 2 ** 30,
};

export const MS_PER_UNIT: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  min: 60_000,
};

export const SIZE_UNIT_LIST = Object.keys(BYTES_PER_UNIT).join(", ");
export const DURATION_UNIT_LIST = Object.keys(MS_PER_UNIT).join(", ");
