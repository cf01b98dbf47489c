// Syntax tree to Plan: follows imports, resolves lets (and --set overrides), checks every value and
// name, and builds the plan. Reports all independent errors; never throws.
import {
  type ArrivalsStatement,
  type Expr,
  type MemaDocument,
  type ModelStatement,
  type PipelineStatement,
  type Span,
  type Statement,
  isBroken,
  spanOf,
} from "./ast.ts";
import { type Catalog, defaultCatalog } from "./catalog.ts";
import { type Diagnostic, tidyDiagnostics } from "./diagnostics.ts";
import type { SourceHost } from "./host.ts";
import { parse, parseExpression } from "./parse.ts";
import type { ArrivalsPlan, InputPlan, ModelPlan, ModelSource, PipelinePlan, Plan, RunSettings } from "./plan.ts";
import { didYouMean, suggestOrList } from "./suggest.ts";
import { PIPELINE_STATEMENTS, STATEMENT_KEYWORDS, TOP_STATEMENTS } from "./tokens.ts";
import { BYTES_PER_UNIT, DURATION_UNIT_LIST, MS_PER_UNIT, SIZE_UNIT_LIST } from "./units.ts";

export interface CompileOptions {
  /** The file name shown in diagnostics, and the base of relative paths (with a host). */
  file?: string;
  /** File access for imports and model files; without one, imports fail and files are not checked. */
  host?: SourceHost;
  /** Zoo networks and policies the document may name (default: stdlib/names.ts). */
  catalog?: Catalog;
  /** `--set NAME=VALUE`: the text of a .mema expression replacing the top-level `let NAME`. */
  overrides?: Record<string, string>;
}

export interface CompileResult {
  plan?: Plan;
  diagnostics: Diagnostic[];
  /** Every text read (main file, imports, --set values), by the name diagnostics use: for rendering. */
  files: Map<string, string>;
}

/** One parsed file of the import graph. */
interface SourceFile {
  /** Identity: absolute with a host, else the display name. */
  id: string;
  display: string;
  ast: MemaDocument;
}

interface DeclaredModel {
  name: string;
  source: ModelSource;
  shapes: Record<string, number[]>;
  input: InputPlan;
}

const NO_SPAN: Span = { offset: 0, length: 1, line: 1, column: 1 };
const ARRIVAL_KINDS = ["batch", "every", "normal", "poisson", "times"] as const;
type ArrivalKind = (typeof ARRIVAL_KINDS)[number];
/** Parameters per arrival kind; the first is the one a bare value after the kind sets. */
const ARRIVAL_PARAMETERS: Record<ArrivalKind, string[]> = {
  batch: ["rounds", "gap", "pick", "seed"],
  every: ["period", "count", "pick", "seed"],
  normal: ["mean", "sd", "count", "seed", "pick"],
  poisson: ["mean", "count", "seed", "pick"],
  times: ["times", "pick", "seed"],
};
const MODEL_OPTIONS = ["shapes", "input", "seed"];

class Compiler {
  readonly diagnostics: Diagnostic[] = [];
  readonly files = new Map<string, string>();
  /** Resolved let values by name; a later definition (the importing file's) shadows an earlier one. */
  readonly lets = new Map<string, Expr>();
  readonly models = new Map<string, DeclaredModel>();
  readonly pipelines: PipelinePlan[] = [];
  readonly pipelineNames = new Set<string>();
  readonly overrides = new Map<string, { expr: Expr | undefined; used: boolean }>();
  /** Display name to identity, to resolve paths relative to the file a value was written in. */
  readonly idOf = new Map<string, string>();
  private readonly catalog: Catalog;

  constructor(readonly options: CompileOptions) {
    this.catalog = options.catalog ?? defaultCatalog;
  }

  // ---- diagnostics ----

  report(code: string, message: string, node: object | undefined, key = "span", fallbackFile?: string): void {
    const span = (node && (spanOf(node, key) ?? spanOf(node))) ?? NO_SPAN;
    this.diagnostics.push({
      code,
      severity: "error",
      message,
      file: span.file ?? fallbackFile ?? this.options.file ?? "<input>",
      line: span.line,
      column: span.column,
      length: span.length,
    });
  }

  // ---- loading ----

  load(text: string, given?: MemaDocument): SourceFile[] {
    const host = this.options.host;
    const display = this.options.file ?? "<input>";
    const id = host && this.options.file ? host.absolute(this.options.file) : display;
    const order: SourceFile[] = [];
    const loaded = new Set<string>();
    const visit = (id: string, display: string, text: string, chain: string[]) => {
      loaded.add(id);
      this.files.set(display, text);
      this.idOf.set(display, id);
      const parsed = given && chain.length === 1 ? { ast: given, diagnostics: [] } : parse(text, display);
      this.diagnostics.push(...parsed.diagnostics);
      if (!parsed.ast) return;
      for (const statement of parsed.ast.statements) {
        if (statement.kind !== "import" || statement.path === "") continue;
        if (!host) {
          this.report("E_IMPORT_NOT_FOUND", `cannot import '${statement.path}': no file access here (pass a host)`, statement, "pathSpan");
          continue;
        }
        const target = host.resolve(id, statement.path);
        const targetDisplay = host.display(target);
        const cycleStart = chain.indexOf(target);
        if (cycleStart >= 0) {
          const names = [...chain.slice(cycleStart), target].map((f) => host.display(f));
          this.report("E_IMPORT_CYCLE", `import cycle: ${names.join(" -> ")}`, statement, "pathSpan");
          continue;
        }
        if (loaded.has(target)) continue;
        const imported = host.readText(target);
        if (imported === undefined) {
          this.report("E_IMPORT_NOT_FOUND", `import not found: '${statement.path}' (looked for ${targetDisplay})`, statement, "pathSpan");
          continue;
        }
        visit(target, targetDisplay, imported, [...chain, target]);
      }
      order.push({ id, display, ast: parsed.ast });
    };
    visit(id, display, text, [id]);
    return order;
  }

  // ---- overrides ----

  parseOverrides(): void {
    for (const [name, text] of Object.entries(this.options.overrides ?? {})) {
      const file = `--set ${name}`;
      this.files.set(file, text);
      const parsed = parseExpression(text, file);
      this.diagnostics.push(...parsed.diagnostics);
      this.overrides.set(name, { expr: parsed.diagnostics.length === 0 ? parsed.expr : undefined, used: false });
    }
  }

  // ---- values ----

  /** Replaces names bound by `let` with their values; other names stay (symbols). */
  resolve(expr: Expr): Expr {
    switch (expr.kind) {
      case "name": {
        const bound = this.lets.get(expr.name);
        return bound ?? expr;
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
    if (!Number.isFinite(ms) || ms < 0 || (positive && ms === 0)) {
      this.report("E_RANGE", `${what} must be ${positive ? "positive" : "zero or more"}, got ${expr.value}${expr.unit}`, expr);
      return undefined;
    }
    return ms;
  }

  integer(expr: Expr, what: string, min: number): number | undefined {
    if (expr.kind === "missing") return undefined;
    if (expr.kind === "name") {
      this.undefinedName(expr.name, expr, `${what} needs a whole number`);
      return undefined;
    }
    if (expr.kind !== "quantity" || expr.unit !== null) {
      this.report("E_TYPE", `${what} needs a whole number, not ${this.kindOf(expr)}`, expr);
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

  // ---- models ----

  source(expr: Expr, modelName: string): DeclaredModel | undefined {
    if (expr.kind === "missing") return undefined;
    if (expr.kind === "string") {
      if (isBroken(expr)) return undefined; // an unterminated string: already reported
      const host = this.options.host;
      const span = spanOf(expr);
      let path = expr.value;
      if (host) {
        const base = this.idOf.get(span?.file ?? "") ?? this.options.file ?? ".";
        path = host.resolve(base, expr.value);
        if (!host.exists(path)) {
          this.report("E_MODEL_FILE", `model file not found: '${expr.value}' (looked for ${host.display(path)})`, expr);
          return undefined;
        }
      }
      return { name: modelName, source: { kind: "file", path }, shapes: {}, input: { kind: "synthetic", seed: 0 } };
    }
    if (expr.kind === "name") {
      const declared = this.models.get(expr.name);
      if (declared) return { ...declared, name: modelName };
      if (this.catalog.networks.includes(expr.name))
        return { name: modelName, source: { kind: "zoo", network: expr.name }, shapes: {}, input: { kind: "synthetic", seed: 0 } };
      const known = [...this.models.keys(), ...this.catalog.networks];
      this.report("E_UNKNOWN_MODEL", `unknown model '${expr.name}': not a declared model nor a zoo network${suggestOrList(expr.name, known, "zoo")}`, expr);
      return undefined;
    }
    this.report("E_TYPE", `a model comes from a file path (a string) or a model name, not ${this.kindOf(expr)}`, expr);
    return undefined;
  }

  applyOptions(model: DeclaredModel, options: Expr): DeclaredModel | undefined {
    const resolved = this.resolve(options);
    if (resolved.kind !== "record") {
      this.report("E_TYPE", `model options are a record like { seed: 1 }, not ${this.kindOf(resolved)}`, resolved);
      return undefined;
    }
    const out: DeclaredModel = { ...model, shapes: { ...model.shapes } };
    let ok = true;
    for (const field of resolved.fields) {
      const value = field.value;
      switch (field.key) {
        case "shapes": {
          if (value.kind !== "record") {
            this.report("E_TYPE", `shapes is a record of input name to dimensions, like { x: [1, 3, 224, 224] }`, value);
            ok = false;
            break;
          }
          for (const shape of value.fields) {
            const dims = shape.value.kind === "list" ? shape.value.items.map((d) => this.integer(d, `dimension of '${shape.key}'`, 1)) : undefined;
            if (!dims) {
              this.report("E_TYPE", `the shape of '${shape.key}' is a list of dimensions, like [1, 3, 224, 224]`, shape.value);
              ok = false;
            } else if (dims.every((d): d is number => d !== undefined)) out.shapes[shape.key] = dims;
            else ok = false;
          }
          break;
        }
        case "input": {
          if (isBroken(value)) {
            ok = false;
            break;
          }
          if (value.kind !== "string") {
            this.report("E_TYPE", `input is an image file path (a string), not ${this.kindOf(value)}`, value);
            ok = false;
            break;
          }
          const host = this.options.host;
          let path = value.value;
          if (host) {
            path = host.resolve(this.idOf.get(spanOf(value)?.file ?? "") ?? ".", value.value);
            if (!host.exists(path)) {
              this.report("E_INPUT_FILE", `input file not found: '${value.value}' (looked for ${host.display(path)})`, value);
              ok = false;
              break;
            }
          }
          out.input = { kind: "image", path };
          break;
        }
        case "seed": {
          const seed = this.integer(value, "seed", 0);
          if (seed === undefined) ok = false;
          else out.input = { kind: "synthetic", seed };
          break;
        }
        default:
          this.report("E_UNKNOWN_OPTION", `unknown model option '${field.key}'${suggestOrList(field.key, MODEL_OPTIONS, "options")}`, field, "keySpan");
          ok = false;
      }
    }
    return ok ? out : undefined;
  }

  model(statement: ModelStatement): DeclaredModel | undefined {
    if (statement.name === "") return undefined;
    const origin = statement.from ? this.resolve(statement.from) : setSpanFrom(statement, { kind: "name", name: statement.name } as Expr, "nameSpan");
    let model = this.source(origin, statement.name);
    if (model && statement.options) model = this.applyOptions(model, statement.options);
    return model;
  }

  // ---- statements ----

  misplaced(statement: Statement, inPipeline: boolean): void {
    const word = statement.kind === "setting" ? statement.setting : statement.kind;
    const message = inPipeline
      ? `'${word}' is not allowed inside a pipeline; put it at the top level of the file`
      : `'${word}' belongs inside a pipeline { ... }`;
    this.report("E_MISPLACED", message, statement);
  }

  unknownStatement(keyword: string, node: Statement, inPipeline: boolean): void {
    if (keyword === "" || isBroken(node)) return;
    const allowed: readonly string[] = inPipeline ? PIPELINE_STATEMENTS : TOP_STATEMENTS;
    this.report("E_UNKNOWN_STATEMENT", `unknown statement '${keyword}'${suggestOrList(keyword, [...STATEMENT_KEYWORDS], "expected one of").replace(/^ \(expected one of: .*\)$/, `, expected one of: ${allowed.join(", ")}`)}`, node, "nameSpan");
  }

  topLevel(file: SourceFile): void {
    const letsHere = new Map<string, Statement>();
    const modelsHere = new Map<string, Statement>();
    let unnamed = 0;
    for (const statement of file.ast.statements) {
      switch (statement.kind) {
        case "import":
          break;
        case "let": {
          if (statement.name === "") break;
          const earlier = letsHere.get(statement.name);
          if (earlier) {
            this.report("E_DUPLICATE_LET", `'${statement.name}' is already defined at line ${spanOf(earlier)?.line}`, statement, "nameSpan");
            break;
          }
          letsHere.set(statement.name, statement);
          const override = this.overrides.get(statement.name);
          if (override) {
            override.used = true;
            if (override.expr) {
              this.lets.set(statement.name, this.resolve(override.expr));
              break;
            }
          }
          this.lets.set(statement.name, this.resolve(statement.value));
          break;
        }
        case "model": {
          if (statement.name === "") break;
          const earlier = modelsHere.get(statement.name);
          if (earlier) {
            this.report("E_DUPLICATE_MODEL", `model '${statement.name}' is already declared at line ${spanOf(earlier)?.line}`, statement, "nameSpan");
            break;
          }
          modelsHere.set(statement.name, statement);
          const model = this.model(statement);
          if (model) this.models.set(statement.name, model);
          break;
        }
        case "pipeline": {
          unnamed += statement.name === undefined ? 1 : 0;
          this.pipeline(statement, file, unnamed);
          break;
        }
        case "unknown":
          this.unknownStatement(statement.keyword, statement, false);
          break;
        default:
          this.misplaced(statement, false);
      }
    }
  }

  pipeline(statement: PipelineStatement, file: SourceFile, unnamedIndex: number): void {
    const stem = file.display.replace(/^.*[/\\]/, "").replace(/\.[^.]*$/, "") || "pipeline";
    const name = statement.name ?? (unnamedIndex > 1 ? `${stem}-${unnamedIndex}` : stem);
    if (this.pipelineNames.has(name)) {
      this.report("E_DUPLICATE_PIPELINE", `there is already a pipeline named '${name}'`, statement, "nameSpan");
    }
    this.pipelineNames.add(name);
    const models: ModelPlan[] = [];
    const modelLines = new Map<string, number>();
    const seen = new Map<string, Statement>();
    let memory: (number | null)[] | undefined = [null];
    let policy: string[] | undefined = ["mema"];
    let workers: number[] | undefined = [1];
    let arrivals: ArrivalsPlan | undefined = { kind: "batch", rounds: 1, gapMs: 0 };
    let session: Record<string, number | string | boolean> | undefined = {};
    let ok = true;
    for (const inner of statement.body) {
      const key = inner.kind === "setting" ? inner.setting : inner.kind;
      if (["setting", "arrivals", "session"].includes(inner.kind)) {
        const earlier = seen.get(key);
        if (earlier) {
          this.report("E_DUPLICATE_SETTING", `'${key}' is already set at line ${spanOf(earlier)?.line} in this pipeline`, inner);
          ok = false;
          continue;
        }
        seen.set(key, inner);
      }
      switch (inner.kind) {
        case "model": {
          if (inner.name === "") {
            ok = false;
            break;
          }
          const line = modelLines.get(inner.name);
          if (line !== undefined) {
            this.report("E_DUPLICATE_MODEL", `model '${inner.name}' is already in this pipeline (line ${line}); give a second instance its own name: model ${inner.name}2 from ${inner.name};`, inner, "nameSpan");
            ok = false;
            break;
          }
          modelLines.set(inner.name, spanOf(inner)?.line ?? 0);
          const model = this.model(inner);
          if (model) models.push({ name: model.name, source: model.source, shapes: model.shapes, input: model.input });
          else ok = false;
          break;
        }
        case "setting": {
          const value = this.resolve(inner.value);
          if (inner.setting === "memory") memory = this.axis(value, "memory", (e) => this.sizeBytes(e, "memory"));
          else if (inner.setting === "policy") policy = this.axis(value, "policy", (e) => this.policy(e));
          else workers = this.axis(value, "workers", (e) => this.integer(e, "workers", 1));
          break;
        }
        case "arrivals":
          arrivals = this.arrivals(inner);
          break;
        case "session":
          session = this.session(inner.options);
          break;
        case "unknown":
          this.unknownStatement(inner.keyword, inner, true);
          ok = false;
          break;
        default:
          this.misplaced(inner, true);
          ok = false;
      }
    }
    if (modelLines.size === 0) {
      this.report("E_NO_MODEL", `pipeline '${name}' has no model; add one, e.g. 'model agenet;'`, statement, "nameSpan");
      ok = false;
    }
    if (!ok || !memory || !policy || !workers || !arrivals || !session) return;
    const runs: RunSettings[] = [];
    for (const memoryBytes of memory) for (const p of policy) for (const w of workers) runs.push({ memoryBytes, policy: p, workers: w });
    this.pipelines.push({ name, models, arrivals, sweep: { memoryBytes: memory, policy, workers }, runs, session });
  }

  arrivals(statement: ArrivalsStatement): ArrivalsPlan | undefined {
    const [kindExpr, ...rest] = statement.args;
    const example = "e.g. 'arrivals batch 10;' or 'arrivals poisson 200ms count 50 seed 1;'";
    if (!kindExpr) {
      this.report("E_ARRIVALS", `arrivals needs a kind (${ARRIVAL_KINDS.join(", ")}), ${example}`, statement);
      return undefined;
    }
    if (kindExpr.kind !== "name" || !(ARRIVAL_KINDS as readonly string[]).includes(kindExpr.name)) {
      const word = kindExpr.kind === "name" ? kindExpr.name : "";
      this.report("E_ARRIVALS", `unknown arrivals kind ${kindExpr.kind === "name" ? `'${word}'` : this.kindOf(kindExpr)}${suggestOrList(word, ARRIVAL_KINDS, "kinds")}`, kindExpr);
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
        const word = key.kind === "name" ? `'${key.name}'` : this.kindOf(key);
        this.report("E_ARRIVALS", `unexpected ${word} in ${kind} arrivals${suggestOrList(key.kind === "name" ? key.name : "", parameters, "parameters")}`, key);
        ok = false;
        // A misspelt key is most likely followed by its value: skip both.
        i += key.kind === "name" && rest[i + 1] && !isKey(rest[i + 1]) ? 2 : 1;
        continue;
      }
      if (values.has(key.name)) {
        this.report("E_ARRIVALS", `'${key.name}' is given twice`, key);
        ok = false;
      }
      const value = rest[i + 1];
      if (!value || isKey(value)) {
        this.report("E_ARRIVALS", `'${key.name}' needs a value`, key);
        ok = false;
        i += 1;
        continue;
      }
      values.set(key.name, value);
      i += 2;
    }
    const get = (name: string) => {
      const e = values.get(name);
      return e ? this.resolve(e) : undefined;
    };
    const required = (name: string, what: string): Expr | undefined => {
      const e = get(name);
      if (!e) {
        this.report("E_ARRIVALS", `${kind} arrivals need ${what}, ${example}`, statement);
        ok = false;
      }
      return e;
    };
    const count = (name: string, fallback: number, min = 1) => {
      const e = get(name);
      if (!e) return fallback;
      const n = this.integer(e, name, min);
      if (n === undefined) ok = false;
      return n ?? fallback;
    };
    const duration = (e: Expr | undefined, what: string, positive = false) => {
      if (!e) return 0;
      const ms = this.durationMs(e, what, positive);
      if (ms === undefined) ok = false;
      return ms ?? 0;
    };
    const seed = count("seed", 0, 0);
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
          this.report("E_TYPE", `times arrivals need a list of gaps like [0ms, 100ms], not ${this.kindOf(list)}`, list);
          ok = false;
        } else if (list) {
          timesMs = list.items.map((e) => duration(this.resolve(e), "gap"));
          if (list.items.length === 0) {
            this.report("E_TYPE", "times arrivals need at least one gap", list);
            ok = false;
          }
        }
        plan = { kind, timesMs };
        break;
      }
    }
    if (values.has("pick")) plan.pick = { count: count("pick", 1), seed };
    return ok ? plan : undefined;
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
      if (v.kind === "quantity" && v.unit === null) out[field.key] = v.value;
      else if (v.kind === "string") out[field.key] = v.value;
      else if (v.kind === "bool") out[field.key] = v.value;
      else if (v.kind === "name") out[field.key] = v.name;
      else if (v.kind !== "missing") {
        this.report("E_TYPE", `session option '${field.key}' takes a number, string or boolean, not ${this.kindOf(v)}`, v);
        ok = false;
      }
    }
    return ok ? out : undefined;
  }

  finish(): void {
    for (const [name, override] of this.overrides) {
      if (override.used) continue;
      this.diagnostics.push({
        code: "E_SET_UNKNOWN",
        severity: "error",
        message: `--set ${name}: there is no top-level let named '${name}'${didYouMean(name, this.lets.keys())}`,
        file: `--set ${name}`,
        line: 1,
        column: 1,
        length: Math.max(1, (this.files.get(`--set ${name}`) ?? "").length),
      });
    }
  }
}

function copySpan<T extends object>(from: object, to: T, key = "span"): T {
  const span = spanOf(from, key);
  if (span) Object.defineProperty(to, key, { value: span, enumerable: false, configurable: true, writable: true });
  return to;
}

function setSpanFrom<T extends object>(from: object, to: T, key: string): T {
  const span = spanOf(from, key) ?? spanOf(from);
  if (span) Object.defineProperty(to, "span", { value: span, enumerable: false, configurable: true, writable: true });
  return to;
}

function run(text: string, options: CompileOptions, withPlan: boolean, given?: MemaDocument): CompileResult {
  const compiler = new Compiler(options);
  try {
    compiler.parseOverrides();
    const files = compiler.load(text, given);
    for (const file of files) compiler.topLevel(file);
    compiler.finish();
    const diagnostics = tidyDiagnostics(compiler.diagnostics);
    const hasErrors = diagnostics.some((d) => d.severity === "error");
    if (!withPlan || hasErrors) return { diagnostics, files: compiler.files };
    const source = options.host && options.file ? options.host.absolute(options.file) : options.file;
    const plan: Plan = { version: 1, ...(source !== undefined ? { source } : {}), pipelines: compiler.pipelines };
    if (plan.pipelines.length === 0) {
      const file = options.file ?? "<input>";
      return {
        diagnostics: [{ code: "E_NO_PIPELINE", severity: "error", message: "the file defines no pipeline; add 'pipeline { model agenet; }'", file, line: 1, column: 1, length: 1 }],
        files: compiler.files,
      };
    }
    return { plan, diagnostics, files: compiler.files };
  } catch (error) {
    const file = options.file ?? "<input>";
    const diagnostics = [...compiler.diagnostics, { code: "E_INTERNAL", severity: "error" as const, message: `internal error: ${(error as Error).message}`, file, line: 1, column: 1, length: 1 }];
    return { diagnostics, files: compiler.files };
  }
}

/** Checks a document (imports, names, values, kinds) without building the plan. */
export function check(text: string, options: CompileOptions = {}): { diagnostics: Diagnostic[]; files: Map<string, string> } {
  const { diagnostics, files } = run(text, options, false);
  return { diagnostics, files };
}

/** Compiles a document to its plan; `plan` is absent when there is any error. */
export function compile(text: string, options: CompileOptions = {}): CompileResult {
  return run(text, options, true);
}

/** Compiles a tree built by another front end (YAML/JSON); `text` is the source its spans point into. */
export function compileDocument(ast: MemaDocument, text: string, options: CompileOptions, withPlan = true): CompileResult {
  return run(text, options, withPlan, ast);
}
