// The arrivals statement: `arrivals KIND [VALUE] {PARAMETER VALUE}` to the plan's ArrivalsPlan
// (grammar.md section 7; semantics in runtime/schedule/arrivals.ts).
import type { ArrivalsStatement, Expr } from "./ast.ts";
import { MAX_ARRIVALS, MAX_PICK, MAX_SEED } from "./limits.ts";
import type { ArrivalsPlan } from "./plan.ts";
import { suggestOrList } from "./suggest.ts";
import type { ValueReader } from "./values.ts";

export const ARRIVAL_KINDS = ["batch", "every", "normal", "poisson", "times"] as const;
type ArrivalKind = (typeof ARRIVAL_KINDS)[number];
/** Parameters per arrival kind; the first is the one a bare value after the kind sets. */
const ARRIVAL_PARAMETERS: Record<ArrivalKind, string[]> = {
  batch: ["rounds", "gap", "pick", "seed"],
  every: ["period", "count", "pick", "seed"],
  normal: ["mean", "sd", "count", "seed", "pick"],
  poisson: ["mean", "count", "seed", "pick"],
  times: ["times", "pick", "seed"],
};

export function readArrivals(statement: ArrivalsStatement, reader: ValueReader): ArrivalsPlan | undefined {
  const [kindExpr, ...rest] = statement.args;
  const example = "e.g. 'arrivals batch 10;' or 'arrivals poisson 200ms count 50 seed 1;'";
  if (!kindExpr) {
    reader.report("E_ARRIVALS", `arrivals needs a kind (${ARRIVAL_KINDS.join(", ")}), ${example}`, statement);
    return undefined;
  }
  if (kindExpr.kind !== "name" || !(ARRIVAL_KINDS as readonly string[]).includes(kindExpr.name)) {
    const word = kindExpr.kind === "name" ? kindExpr.name : "";
    reader.report("E_ARRIVALS", `unknown arrivals kind ${kindExpr.kind === "name" ? `'${word}'` : reader.kindOf(kindExpr)}${suggestOrList(word, ARRIVAL_KINDS, "kinds")}`, kindExpr);
    return undefined;
  }
  const kind = kindExpr.name as ArrivalKind;
  const parameters = ARRIVAL_PARAMETERS[kind];
  const values = new Map<string, Expr>();
  let ok = true;
  let i = 0;
  const isKey = (e: Expr | undefined) => e?.kind === "name" && parameters.includes(e.name) && !values.has(e.name);
  if (rest[0] && !isKey(rest[0])) {
    values.set(parameters[0]!, rest[0]);
    i = 1;
  }
  while (i < rest.length) {
    const key = rest[i]!;
    if (key.kind !== "name" || !parameters.includes(key.name)) {
      const word = key.kind === "name" ? `'${key.name}'` : reader.kindOf(key);
      reader.report("E_ARRIVALS", `unexpected ${word} in ${kind} arrivals${suggestOrList(key.kind === "name" ? key.name : "", parameters, "parameters")}`, key);
      ok = false;
      // A misspelt key is most likely followed by its value: skip both.
      i += key.kind === "name" && rest[i + 1] && !isKey(rest[i + 1]) ? 2 : 1;
      continue;
    }
    if (values.has(key.name)) {
      reader.report("E_ARRIVALS", `'${key.name}' is given twice`, key);
      ok = false;
    }
    const value = rest[i + 1];
    if (!value || isKey(value)) {
      reader.report("E_ARRIVALS", `'${key.name}' needs a value`, key);
      ok = false;
      i += 1;
      continue;
    }
    values.set(key.name, value);
    i += 2;
  }
  const get = (name: string) => {
    const e = values.get(name);
    return e ? reader.resolve(e) : undefined;
  };
  const required = (name: string, what: string): Expr | undefined => {
    const e = get(name);
    if (!e) {
      reader.report("E_ARRIVALS", `${kind} arrivals need ${what}, ${example}`, statement);
      ok = false;
    }
    return e;
  };
  const count = (name: string, fallback: number, min = 1, max = MAX_ARRIVALS) => {
    const e = get(name);
    if (!e) return fallback;
    const n = reader.integer(e, name, min, max);
    if (n === undefined) ok = false;
    return n ?? fallback;
  };
  const duration = (e: Expr | undefined, what: string, positive = false) => {
    if (!e) return 0;
    const ms = reader.durationMs(e, what, positive);
    if (ms === undefined) ok = false;
    return ms ?? 0;
  };
  const seed = count("seed", 0, 0, MAX_SEED);
  let plan: ArrivalsPlan;
  switch (kind) {
    case "batch":
      plan = { kind, rounds: count("rounds", 1), gapMs: duration(get("gap"), "gap") };
      break;
    case "every":
      plan = { kind: "periodic", periodMs: duration(required("period", "a period (every 500ms)"), "period"), count: count("count", 1) };
      break;
    case "normal":
      plan = {
        kind,
        meanMs: duration(required("mean", "a mean gap (normal 30s sd 500ms)"), "mean"),
        stddevMs: duration(required("sd", "a standard deviation (sd 500ms)"), "sd"),
        count: count("count", 1),
        seed,
      };
      break;
    case "poisson":
      plan = { kind, meanMs: duration(required("mean", "a mean gap (poisson 100ms)"), "mean", true), count: count("count", 1), seed };
      break;
    case "times": {
      const list = required("times", "a list of gaps (times [0ms, 100ms])");
      let timesMs: number[] = [];
      if (list && list.kind !== "list") {
        reader.report("E_TYPE", `times arrivals need a list of gaps like [0ms, 100ms], not ${reader.kindOf(list)}`, list);
        ok = false;
      } else if (list) {
        timesMs = list.items.map((e) => duration(reader.resolve(e), "gap"));
        if (list.items.length === 0) {
          reader.report("E_TYPE", "times arrivals need at least one gap", list);
          ok = false;
        } else if (list.items.length > MAX_ARRIVALS) {
          reader.report("E_RANGE", `times arrivals take at most ${MAX_ARRIVALS} gaps, got ${list.items.length}`, list);
          ok = false;
        }
      }
      plan = { kind, timesMs };
      break;
    }
  }
  if (values.has("pick")) plan.pick = { count: count("pick", 1, 1, MAX_PICK), seed };
  return ok ? plan : undefined;
}
