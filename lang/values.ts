// Reading values: lets resolved, then sizes, durations, counts, policy names and sweeps checked
// against what a setting needs, each problem reported with its code. Shared by the compiler and
// lang/arrivals.ts.
import { type Expr, isBroken, markBroken, type RecordField, setSpan, type Span, spanOf } from "./ast.ts";
import { type Catalog, defaultCatalog } from "./catalog.ts";
import type { Diagnostic } from "./diagnostics.ts";
import { didYouMean, suggestOrList } from "./suggest.ts";
import { MAX_DURATION_MS, MAX_SIZE_BYTES } from "./limits.ts";
import { readSessionOption, SESSION_OPTIONS } from "./session-options.ts";
import { BYTES_PER_UNIT, DURATION_UNIT_LIST, MS_PER_UNIT, SIZE_UNIT_LIST } from "./units.ts";

/** MAX_SIZE_BYTES in words: 2^53 - 1 bytes is just under 2^23 GiB. */
const MAX_SIZE_TEXT = "8388608GiB";

const NO_SPAN: Span = { offset: 0, length: 1, line: 1, column: 1 };

export class ValueReader {
  readonly diagnostics: Diagnostic[] = [];
  /** Resolved let values by name; a later definition (the importing file's) shadows an earlier one. */
  readonly lets = new Map<string, Expr>();
  protected readonly catalog: Catalog;

  constructor(
    /** Where diagnostics without a span of their own are reported. */
    protected readonly defaultFile: string,
    catalog: Catalog = defaultCatalog,
  ) {
    this.catalog = catalog;
  }

  /** An error at `node`; for a value that came from a let, at the place of use, with the let's value as a note. */
  report(code: string, message: string, node: object | undefined, key = "span", fallbackFile?: string): void {
    const span = (node && (spanOf(node, key) ?? spanOf(node))) ?? NO_SPAN;
    const diagnostic: Diagnostic = {
      code,
      severity: "error",
      message,
      file: span.file ?? fallbackFile ?? this.defaultFile,
      line: span.line,
      column: span.column,
      length: span.length,
    };
    const written = node && writtenOf(node);
    const at = written && written !== node ? (spanOf(written, key) ?? spanOf(written)) : undefined;
    if (node && at) {
      const message = `the value comes from 'let ${(node as { letName?: string }).letName}' here`;
      diagnostic.notes = [{ message, file: at.file ?? this.defaultFile, line: at.line, column: at.column, length: at.length }];
    }
    this.diagnostics.push(diagnostic);
  }

  /**
   * Replaces names bound by `let` with their values; other names stay (symbols). A let's value comes back as
   * a copy placed where the name is used (errors point there) that remembers where it was written (the note).
   */
  resolve(expr: Expr): Expr {
    // A let's value is resolved when the let is defined: walking it again would walk every path through lets
    // built from lets (exponentially many), so only text as written is walked (its depth is bounded).
    if (writtenOf(expr) !== expr) return expr;
    switch (expr.kind) {
      case "name": {
        const bound = this.lets.get(expr.name);
        const use = spanOf(expr);
        return bound && use ? placedAt(bound, use, expr.name) : (bound ?? expr);
      }
      case "list": {
        const items = expr.items.map((item) => this.resolve(item));
        return items.every((item, i) => item === expr.items[i]) ? expr : copySpan(expr, { kind: "list", items });
      }
      case "record": {
        const values = expr.fields.map((f) => this.resolve(f.value));
        if (values.every((v, i) => v === expr.fields[i]!.value)) return expr;
        const fields = expr.fields.map((f, i) => copySpan(f, { key: f.key, value: values[i]! }, "keySpan"));
        return copySpan(expr, { kind: "record", fields });
      }
      default:
        return expr;
    }
  }

  undefinedName(name: string, node: Expr, what: string): void {
    this.report("E_UNDEFINED", `undefined variable '${name}' (${what})${didYouMean(name, this.lets.keys())}`, node);
  }

  kindOf(expr: Expr): string {
    switch (expr.kind) {
      case "quantity":
        return expr.unit === null ? "a number" : `'${expr.value}${expr.unit}'`;
      case "string":
        return "a string";
      case "name":
        return `the name '${expr.name}'`;
      case "bool":
        return "a boolean";
      case "list":
        return "a list";
      case "record":
        return "a record";
      default:
        return "nothing";
    }
  }

  /** Bytes, or null for `unlimited`; undefined after reporting an error. */
  sizeBytes(expr: Expr, what: string): number | null | undefined {
    if (expr.kind === "missing") return undefined;
    if (expr.kind === "name") {
      if (expr.name === "unlimited") return null;
      this.undefinedName(expr.name, expr, `${what} needs a size like 512MB, or 'unlimited'`);
      return undefined;
    }
    if (expr.kind !== "quantity") {
      this.report("E_TYPE", `${what} needs a size like 512MB, not ${this.kindOf(expr)}`, expr);
      return undefined;
    }
    if (expr.unit === null) {
      this.report("E_UNIT", `${what} needs a unit (${SIZE_UNIT_LIST})`, expr);
      return undefined;
    }
    const factor = BYTES_PER_UNIT[expr.unit];
    if (factor === undefined) {
      const hint = MS_PER_UNIT[expr.unit] !== undefined ? `${what} is a size, not a duration` : `unknown unit '${expr.unit}'${didYouMean(expr.unit, Object.keys(BYTES_PER_UNIT))}`;
      this.report("E_UNIT", `${hint} (${SIZE_UNIT_LIST})`, expr);
      return undefined;
    }
    const bytes = Math.round(expr.value * factor);
    if (bytes > MAX_SIZE_BYTES) {
      this.report("E_RANGE", `${what} is too large (at most ${MAX_SIZE_TEXT}), got ${expr.value}${expr.unit}`, expr);
      return undefined;
    }
    if (!(bytes > 0) || !Number.isSafeInteger(bytes)) {
      this.report("E_RANGE", `${what} must be a positive size, got ${expr.value}${expr.unit}`, expr);
      return undefined;
    }
    return bytes;
  }

  durationMs(expr: Expr, what: string, positive = false): number | undefined {
    if (expr.kind === "missing") return undefined;
    if (expr.kind === "name") {
      this.undefinedName(expr.name, expr, `${what} needs a duration like 100ms`);
      return undefined;
    }
    if (expr.kind !== "quantity") {
      this.report("E_TYPE", `${what} needs a duration like 100ms, not ${this.kindOf(expr)}`, expr);
      return undefined;
    }
    if (expr.unit === null) {
      this.report("E_UNIT", `${what} needs a unit (${DURATION_UNIT_LIST})`, expr);
      return undefined;
    }
    const factor = MS_PER_UNIT[expr.unit];
    if (factor === undefined) {
      const hint = BYTES_PER_UNIT[expr.unit] !== undefined ? `${what} is a duration, not a size` : `unknown unit '${expr.unit}'${didYouMean(expr.unit, Object.keys(MS_PER_UNIT))}`;
      this.report("E_UNIT", `${hint} (${DURATION_UNIT_LIST})`, expr);
      return undefined;
    }
    // Round away float noise (0.1s * 1000 = 100.00000000000001) at a nanosecond.
    const ms = Math.round(expr.value * factor * 1e6) / 1e6;
    if (ms > MAX_DURATION_MS) {
      this.report("E_RANGE", `${what} is too long (at most ${MAX_DURATION_MS / 1000}s), got ${expr.value}${expr.unit}`, expr);
      return undefined;
    }
    if (!Number.isFinite(ms) || ms < 0 || (positive && ms === 0)) {
      this.report("E_RANGE", `${what} must be ${positive ? "positive" : "zero or more"}, got ${expr.value}${expr.unit}`, expr);
      return undefined;
    }
    return ms;
  }

  /** A whole number in [min, max]; `max` is one of lang/limits.ts's bounds where the number is a count. */
  integer(expr: Expr, what: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
    if (expr.kind === "missing") return undefined;
    if (expr.kind === "name") {
      this.undefinedName(expr.name, expr, `${what} needs a whole number`);
      return undefined;
    }
    if (expr.kind !== "quantity" || expr.unit !== null) {
      this.report("E_TYPE", `${what} needs a whole number, not ${this.kindOf(expr)}`, expr);
      return undefined;
    }
    if (expr.value > max) {
      this.report("E_RANGE", `${what} must be at most ${max}, got ${expr.value}`, expr);
      return undefined;
    }
    if (!Number.isSafeInteger(expr.value) || expr.value < min) {
      this.report("E_RANGE", `${what} must be a whole number of at least ${min}, got ${expr.value}`, expr);
      return undefined;
    }
    return expr.value;
  }

  policy(expr: Expr): string | undefined {
    if (expr.kind === "missing") return undefined;
    const name = expr.kind === "name" ? expr.name : expr.kind === "string" ? expr.value : undefined;
    if (name === undefined) {
      this.report("E_TYPE", `policy needs a policy name (${this.catalog.policies.join(", ")}), not ${this.kindOf(expr)}`, expr);
      return undefined;
    }
    if (!this.catalog.policies.includes(name)) {
      this.report("E_UNKNOWN_POLICY", `unknown policy '${name}'${suggestOrList(name, this.catalog.policies, "policies")}`, expr);
      return undefined;
    }
    return name;
  }

  /** A list makes a sweep axis; one value is an axis of one. */
  axis<T>(expr: Expr, what: string, convert: (item: Expr) => T | undefined): T[] | undefined {
    const items = expr.kind === "list" ? expr.items : [expr];
    if (expr.kind === "list" && items.length === 0) {
      this.report("E_TYPE", `${what} needs at least one value, the list is empty`, expr);
      return undefined;
    }
    const values: T[] = [];
    let ok = true;
    for (const item of items) {
      if (item.kind === "list") {
        this.report("E_TYPE", `${what}: a sweep is one flat list, not a list of lists`, item);
        ok = false;
        continue;
      }
      const value = convert(item);
      if (value === undefined) ok = false;
      else values.push(value);
    }
    return ok ? values : undefined;
  }

  session(options: Expr): Record<string, number | string | boolean> | undefined {
    const resolved = this.resolve(options);
    if (resolved.kind !== "record") {
      this.report("E_TYPE", `session takes a record like { intraOpNumThreads: 1 }, not ${this.kindOf(resolved)}`, resolved);
      return undefined;
    }
    const out: Record<string, number | string | boolean> = {};
    let ok = true;
    for (const field of resolved.fields) {
      const v = field.value;
      let value: number | string | boolean;
      if (v.kind === "quantity" && v.unit === null) value = v.value;
      else if (v.kind === "string") value = v.value;
      else if (v.kind === "bool") value = v.value;
      else if (v.kind === "name") value = v.name;
      else {
        if (v.kind !== "missing") this.report("E_TYPE", `session option '${field.key}' takes a number, string or boolean, not ${this.kindOf(v)}`, v);
        ok = false;
        continue;
      }
      // Checked here, not only when a real run starts: the same table as runtime/execute/session-options.ts.
      const read = readSessionOption(field.key, value);
      if ("problem" in read) {
        if (Object.hasOwn(SESSION_OPTIONS, field.key)) this.report("E_SESSION", read.problem, v);
        else this.report("E_SESSION", `unknown session option '${field.key}'${suggestOrList(field.key, Object.keys(SESSION_OPTIONS), "options")}`, field, "keySpan");
        ok = false;
        continue;
      }
      // The plan keeps the value as written (runtime/execute types it again).
      out[field.key] = value;
    }
    return ok ? out : undefined;
  }
}

/** The node as written: for a let's value copied to its place of use (ValueReader.resolve), the original. */
export function writtenOf(node: object): object {
  return (node as { written?: object }).written ?? node;
}

function hidden<T extends object>(node: T, key: string, value: unknown): T {
  Object.defineProperty(node, key, { value, enumerable: false, configurable: true, writable: true });
  return node;
}

/**
 * A let's value placed at `use`: every part's span is the use, and each part remembers its original and the
 * let's name. Parts are placed lazily, when read: lets built from lets share their values (a DAG that can be
 * exponentially large as a tree), and a check reads only what it needs, as it does of the value itself.
 */
function placedAt(value: Expr, use: Span, letName: string): Expr {
  const name = (value as { letName?: string }).letName ?? letName;
  let out: Expr;
  if (value.kind === "list") {
    let items: Expr[] | undefined;
    out = Object.defineProperty({ kind: "list" }, "items", {
      enumerable: true,
      get: () => (items ??= value.items.map((item) => placedAt(item, use, name))),
    }) as Expr;
  } else if (value.kind === "record") {
    let fields: RecordField[] | undefined;
    out = Object.defineProperty({ kind: "record" }, "fields", {
      enumerable: true,
      get: () =>
        (fields ??= value.fields.map((f) => {
          const field = setSpan({ key: f.key, value: placedAt(f.value, use, name) }, use, "keySpan");
          hidden(field, "written", writtenOf(f));
          return hidden(field, "letName", name);
        })),
    }) as Expr;
  } else out = { ...value };
  setSpan(out, use);
  hidden(out, "written", writtenOf(value));
  hidden(out, "letName", name);
  if (isBroken(value)) markBroken(out);
  return out;
}

export function copySpan<T extends object>(from: object, to: T, key = "span"): T {
  const span = spanOf(from, key);
  if (span) Object.defineProperty(to, key, { value: span, enumerable: false, configurable: true, writable: true });
  return to;
}
