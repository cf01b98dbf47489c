// Flag values as numbers: sizes with units, integers, non-negative numbers and comma lists, each refused in one line.
import { BYTES_PER_UNIT, SIZE_UNIT_LIST } from "../lang/units.ts";
import { UsageError } from "./command.ts";

/** `64MiB`, `1.5 MB`, `100000` (bytes); undefined when the flag is absent. */
export function parseSize(flag: string, text: unknown): number | undefined {
  if (text === undefined) return undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*$/.exec(String(text));
  const scale = match ? (match[2] === "" ? 1 : BYTES_PER_UNIT[match[2]!]) : undefined;
  if (!match || scale === undefined) {
    throw new UsageError(`--${flag} '${String(text)}': expected a size such as 64MiB (units: ${SIZE_UNIT_LIST})`, "E_OPTION");
  }
  return Math.floor(Number(match[1]) * scale);
}

/** A non-negative number (`--tolerance 1e-6`), or `fallback` when the flag is absent. */
export function parseNumber(flag: string, text: unknown, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (String(text).trim() === "" || !Number.isFinite(value) || value < 0) throw new UsageError(`--${flag} '${String(text)}': expected a non-negative number`, "E_OPTION");
  return value;
}

/** A whole number >= `min` (`--runs 5`, `--seed 0`), or `fallback` when the flag is absent. */
export function parseInteger(flag: string, text: unknown, min: number, fallback: number): number;
export function parseInteger(flag: string, text: unknown, min: number): number | undefined;
export function parseInteger(flag: string, text: unknown, min: number, fallback?: number): number | undefined {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (String(text).trim() === "" || !Number.isSafeInteger(value) || value < min) {
    throw new UsageError(`--${flag} '${String(text)}': expected ${min === 1 ? "a positive integer" : `an integer >= ${min}`}`, "E_OPTION");
  }
  return value;
}

/** `a,b,c` as its items; undefined when the flag is absent. */
export function parseList(flag: string, text: unknown): string[] | undefined {
  if (text === undefined) return undefined;
  const items = String(text).split(",").map((s) => s.trim()).filter((s) => s !== "");
  if (items.length === 0) throw new UsageError(`--${flag} '${String(text)}': expected a comma-separated list`, "E_OPTION");
  return items;
}
