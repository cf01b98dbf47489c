// Syntax tree to Plan: follows imports, resolves lets (and --set overrides), checks every value and
// name, and builds the plan. Reports all independent errors; never throws.
import { readArrivals } from "./arrivals.ts";
import {
  type Expr,
  type MemaDocument,
  type ModelStatement,
  type PipelineStatement,
  type Statement,
  isBroken,
  spanOf,
} from "./ast.ts";
import { type Catalog, defaultCatalog } from "./catalog.ts";
import { type Diagnostic, tidyDiagnostics } from "./diagnostics.ts";
import type { SourceHost } from "./host.ts";
import { MAX_INSTANCES, MAX_SEED, MAX_SWEEP_RUNS, MAX_TENSOR_ELEMENTS, MAX_WORKERS } from "./limits.ts";
import { parse, parseExpression, withoutBom } from "./parse.ts";
import type { ArrivalsPlan, InputPlan, ModelPlan, ModelSource, PipelinePlan, Plan, RunSettings } from "./plan.ts";
import { didYouMean, suggestOrList } from "./suggest.ts";
import { PIPELINE_STATEMENTS, STATEMENT_KEYWORDS, TOP_STATEMENTS } from "./tokens.ts";
import { ValueReader, writtenOf } from "./values.ts";

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

const MODEL_OPTIONS = ["shapes", "input", "seed"];

class Compiler extends ValueReader {
  readonly files = new Map<string, string>();
  readonly models = new Map<string, DeclaredModel>();
  readonly pipelines: PipelinePlan[] = [];
  readonly pipelineNames = new Set<string>();
  readonly overrides = new Map<string, { expr: Expr | undefined; used: boolean }>();
  /** Display name to identity, to resolve paths relative to the file a value was written in. */
  readonly idOf = new Map<string, string>();
  constructor(readonly options: CompileOptions) {
    super(options.file ?? "<input>", options.catalog ?? defaultCatalog);
  }


  // ---- loading ----

  load(text: string, given?: MemaDocument): SourceFile[] {
    const host = this.options.host;
    const display = this.options.file ?? "<input>";
    const id = host && this.options.file ? host.absolute(this.options.file) : display;
    const order: SourceFile[] = [];
    const loaded = new Set<string>();
    const visit = (id: string, display: string, raw: string, chain: string[]) => {
      const text = withoutBom(raw);
      loaded.add(id);
      this.files.set(display, text);
      this.idOf.set(display, id);
      const parsed = given && chain.length === 1 ? { ast: given, diagnostics: [] } : parse(text, display);
      for (const d of parsed.diagnostics) this.diagnostics.push(d);
      if (!parsed.ast) return;
      for (const statement of parsed.ast.statements) {
        if (statement.kind !== "import" || isBroken(statement)) continue;
        if (statement.path === "") {
          // `import "";` (a missing or unterminated path is already a syntax error).
          if (spanOf(statement, "pathSpan")?.length === 2) this.report("E_IMPORT_NOT_FOUND", "import needs a file path, the string is empty", statement, "pathSpan");
          continue;
        }
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
        if (typeof imported !== "string") {
          const code = imported.tooLarge ? "E_LIMIT" : "E_IMPORT_NOT_FOUND";
          this.report(code, `cannot import '${statement.path}': ${targetDisplay} is ${imported.problem}`, statement, "pathSpan");
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
      for (const d of parsed.diagnostics) this.diagnostics.push(d);
      this.overrides.set(name, { expr: parsed.diagnostics.length === 0 ? parsed.expr : undefined, used: false });
    }
  }


  // ---- models ----

  source(expr: Expr, modelName: string): DeclaredModel | undefined {
    if (expr.kind === "missing") return undefined;
    if (expr.kind === "string") {
      if (isBroken(expr)) return undefined; // an unterminated string: already reported
      const host = this.options.host;
      const span = spanOf(writtenOf(expr)); // relative to the file the string is written in
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
            } else if (dims.every((d): d is number => d !== undefined)) {
              if (dims.reduce((a, b) => a * b, 1) > MAX_TENSOR_ELEMENTS) {
                this.report("E_RANGE", `the shape of '${shape.key}' has ${dims.join(" x ")} elements; at most ${MAX_TENSOR_ELEMENTS} (2^30) are allowed`, shape.value);
                ok = false;
              } else out.shapes[shape.key] = dims;
            } else ok = false;
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
            path = host.resolve(this.idOf.get(spanOf(writtenOf(value))?.file ?? "") ?? ".", value.value);
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
          const seed = this.integer(value, "seed", 0, MAX_SEED);
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
      : `'${word}' belongs inside a pipeline < ... >`;
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
          else workers = this.axis(value, "workers", (e) => this.integer(e, "workers", 1, MAX_WORKERS));
          break;
        }
        case "arrivals":
          arrivals = readArrivals(inner, this);
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
    const runCount = memory.length * policy.length * workers.length;
    if (runCount > MAX_SWEEP_RUNS) {
      this.report("E_LIMIT", `pipeline '${name}' sweeps ${memory.length} x ${policy.length} x ${workers.length} = ${runCount} runs; at most ${MAX_SWEEP_RUNS} are allowed`, statement, "nameSpan");
      return;
    }
    const instances = instancesPerRun(arrivals, models.length);
    if (instances > MAX_INSTANCES) {
      const at = statement.body.find((s) => s.kind === "arrivals") ?? statement;
      this.report("E_LIMIT", `pipeline '${name}' requests ${instances} network instances per run (arrivals x networks per arrival); at most ${MAX_INSTANCES} are allowed`, at);
      return;
    }
    const runs: RunSettings[] = [];
    for (const memoryBytes of memory) for (const p of policy) for (const w of workers) runs.push({ memoryBytes, policy: p, workers: w });
    this.pipelines.push({ name, models, arrivals, sweep: { memoryBytes: memory, policy, workers }, runs, session });
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

/** How many network instances one run of a pipeline requests: every arrival requests all models, or `pick` of them. */
function instancesPerRun(arrivals: ArrivalsPlan, models: number): number {
  const count = arrivals.kind === "batch" ? arrivals.rounds : arrivals.kind === "times" ? arrivals.timesMs.length : arrivals.count;
  return count * (arrivals.pick?.count ?? models);
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
        diagnostics: [{ code: "E_NO_PIPELINE", severity: "error", message: "the file defines no pipeline; add 'pipeline < model agenet; >'", file, line: 1, column: 1, length: 1 }],
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
