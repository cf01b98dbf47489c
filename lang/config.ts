// The YAML/JSON front end: a document (or a `pipeline` key inside another tool's config) is
// validated with ajv against lang/schema.ts, turned into the same syntax tree as .mema text (spans
// point into the YAML), and checked by the same compiler. A compiled plan (version: 1) is accepted too.
import AjvModule from "ajv";
import type { ErrorObject, ValidateFunction } from "ajv";
import { isMap, isPair, isScalar, isSeq, parseDocument, type Document, type Node as YamlNode } from "yaml";
import {
  type Expr,
  type MemaDocument,
  type ModelStatement,
  type PipelineStatement,
  type RecordField,
  type Span,
  type Statement,
  setSpan,
} from "./ast.ts";
import { type Catalog, defaultCatalog } from "./catalog.ts";
import { type CompileOptions, type CompileResult, compileDocument } from "./compile.ts";
import { type Diagnostic, tidyDiagnostics } from "./diagnostics.ts";
import { splitQuantity } from "./parse.ts";
import type { Plan } from "./plan.ts";
import { configSchema, planSchema } from "./schema.ts";
import { MAX_NESTING } from "./limits.ts";
import { suggestOrList } from "./suggest.ts";
import { memaLexer } from "./tokens.ts";

type AjvClass = typeof import("ajv").default;
const Ajv: AjvClass = ((AjvModule as unknown as { default?: AjvClass }).default ?? AjvModule) as AjvClass;

const MEMA_KEYS = ["$schema", "let", "models", "pipelines", "pipeline"];
const DURATION_KEYS = new Set(["gap", "period", "mean", "sd", "times"]);

/** Whether a file name is handled by this front end rather than the .mema parser. */
export function isConfigFile(file: string): boolean {
  return /\.(ya?ml|json)$/i.test(file);
}

const validators = new WeakMap<Catalog, { plan: ValidateFunction; config: ValidateFunction }>();
function validatorsFor(catalog: Catalog) {
  let entry = validators.get(catalog);
  if (!entry) {
    const ajv = new Ajv({ allErrors: true, strict: false, discriminator: true });
    entry = { plan: ajv.compile(planSchema(catalog)), config: ajv.compile(configSchema(catalog)) };
    validators.set(catalog, entry);
  }
  return entry;
}

/** 1-based line and column of offsets. (yaml's LineCounter misses newlines inside plain scalars.) */
class LineTable {
  private readonly starts: number[] = [0];
  constructor(text: string) {
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (c === "\n" || (c === "\r" && text[i + 1] !== "\n")) this.starts.push(i + 1);
    }
  }
  position(offset: number): { line: number; column: number } {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - this.starts[lo]! + 1 };
  }
}

class YamlTranslator {
  readonly diagnostics: Diagnostic[] = [];
  constructor(
    readonly file: string,
    readonly lines: LineTable,
    readonly doc: Document,
  ) {}

  span(node: { range?: [number, number, number] | null } | null | undefined): Span {
    const [start, end] = node?.range ?? [0, 1, 1];
    const pos = this.lines.position(start);
    return { offset: start, length: Math.max(1, end - start), line: pos.line, column: pos.column, file: this.file };
  }

  error(code: string, message: string, span: Span): void {
    this.diagnostics.push({ code, severity: "error", message, file: this.file, line: span.line, column: span.column, length: span.length });
  }

  /** JSON pointer segments to a YAML node; for a missing one, its nearest existing parent. */
  nodeAt(segments: (string | number)[]): YamlNode | undefined {
    for (let n = segments.length; n >= 0; n--) {
      const node = n === 0 ? this.doc.contents : this.doc.getIn(segments.slice(0, n), true);
      if (node && typeof node === "object") return node as YamlNode;
    }
    return undefined;
  }

  keyNode(map: YamlNode | undefined, key: string): YamlNode | undefined {
    if (!isMap(map)) return undefined;
    const pair = map.items.find((p) => isScalar(p.key) && String(p.key.value) === key);
    return (pair?.key as YamlNode | undefined) ?? undefined;
  }

  /** ajv errors as diagnostics: the JSON path, a plain message, and the YAML line:col. */
  schemaErrors(errors: ErrorObject[], allowed: Record<string, string[]>): void {
    const byPath = new Map<string, ErrorObject>();
    for (const e of errors) {
      const path = e.instancePath + (e.keyword === "additionalProperties" ? `/${(e.params as { additionalProperty: string }).additionalProperty}` : "");
      const known = byPath.get(path);
      // anyOf/oneOf summaries are vaguer than the branch errors: keep them only when alone.
      if (!known || ((known.keyword === "anyOf" || known.keyword === "oneOf") && e.keyword !== known.keyword)) byPath.set(path, e);
    }
    // A type or anyOf error on a value whose parts have their own errors says less than they do.
    const paths = [...byPath.keys()];
    for (const [path, e] of byPath) {
      if (["type", "anyOf", "oneOf"].includes(e.keyword) && paths.some((p) => p !== path && p.startsWith(path + "/"))) byPath.delete(path);
    }
    for (const [, e] of byPath) {
      const segments = e.instancePath.split("/").slice(1).map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~")).map((s) => (/^\d+$/.test(s) ? Number(s) : s));
      const json = "$" + segments.map((s) => (typeof s === "number" ? `[${s}]` : /^[A-Za-z_$][\w$]*$/.test(s) ? `.${s}` : `[${JSON.stringify(s)}]`)).join("");
      let node = this.nodeAt(segments);
      let message: string;
      switch (e.keyword) {
        case "additionalProperties": {
          const property = (e.params as { additionalProperty: string }).additionalProperty;
          node = this.keyNode(node, property) ?? node;
          const parentKey = segments.filter((s) => typeof s === "string").pop() ?? "";
          const candidates = allowed[String(parentKey)] ?? allowed[""] ?? [];
          message = `${json}: unknown property '${property}'${suggestOrList(property, candidates, "expected")}`;
          break;
        }
        case "required":
          message = `${json}: missing property '${(e.params as { missingProperty: string }).missingProperty}'`;
          break;
        case "enum":
          message = `${json}: must be one of ${((e.params as { allowedValues: unknown[] }).allowedValues).map((v) => JSON.stringify(v)).join(", ")}`;
          break;
        case "anyOf":
        case "oneOf":
          message = `${json}: has the wrong kind of value`;
          break;
        default:
          message = `${json}: ${e.message ?? "is invalid"}`;
      }
      this.error("E_SCHEMA", message, this.span(node));
    }
  }

  // ---- translation to the .mema tree ----

  at<T extends object>(node: T, yaml: YamlNode | null | undefined, key = "span"): T {
    return setSpan(node, this.span(yaml), key);
  }

  /** A YAML value as a .mema expression; bare durations are ms, bare sizes keep no unit (E_UNIT). */
  expr(node: YamlNode | null | undefined, role: "size" | "duration" | "count" | "name" | "path" | "any"): Expr {
    if (!node) return { kind: "missing" };
    if (isSeq(node)) return this.at({ kind: "list", items: node.items.map((item) => this.expr(item as YamlNode, role)) }, node);
    if (isMap(node)) {
      const fields: RecordField[] = [];
      for (const pair of node.items) {
        if (!isPair(pair) || !isScalar(pair.key)) continue;
        fields.push(this.at({ key: String(pair.key.value), value: this.expr(pair.value as YamlNode, "any") }, pair.key as YamlNode, "keySpan"));
      }
      return this.at({ kind: "record", fields }, node);
    }
    if (!isScalar(node)) return this.at({ kind: "missing" }, node);
    const value = node.value;
    if (typeof value === "number") {
      // A bare size is an error, as in .mema (512 bytes is never what `memory: 512` meant); durations are ms.
      const unit = role === "duration" ? "ms" : null;
      return this.at({ kind: "quantity", value, unit }, node);
    }
    if (typeof value === "boolean") return this.at({ kind: "bool", value }, node);
    if (value === null || value === undefined) return this.at({ kind: "missing" }, node);
    const text = String(value);
    const identifier = /^[A-Za-z_][A-Za-z0-9_-]*$/.test(text);
    if (role === "path" && !identifier) return this.at({ kind: "string", value: text }, node);
    if (role !== "path" && role !== "name") {
      const tokens = memaLexer.tokenize(text.trim());
      if (tokens.errors.length === 0 && tokens.tokens.length === 1 && tokens.tokens[0]!.tokenType.name === "Quantity")
        return this.at({ kind: "quantity", ...splitQuantity(text.trim()) }, node);
    }
    return this.at(identifier ? { kind: "name", name: text } : { kind: "string", value: text }, node);
  }

  get(map: YamlNode | null | undefined, key: string): YamlNode | undefined {
    if (!isMap(map)) return undefined;
    const pair = map.items.find((p) => isScalar(p.key) && String(p.key.value) === key);
    return (pair?.value as YamlNode | undefined) ?? undefined;
  }

  modelOptions(map: YamlNode): Expr | undefined {
    if (!isMap(map)) return undefined;
    const fields: RecordField[] = [];
    for (const pair of map.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : "";
      if (!["shapes", "input", "seed"].includes(key)) continue;
      fields.push(this.at({ key, value: this.expr(pair.value as YamlNode, key === "input" ? "path" : "any") }, pair.key as YamlNode, "keySpan"));
    }
    if (fields.length === 0) return undefined;
    return this.at({ kind: "record", fields } as Expr, map);
  }

  model(node: YamlNode): ModelStatement | undefined {
    if (isScalar(node)) {
      const statement: ModelStatement = this.at({ kind: "model", name: String(node.value) }, node);
      return this.at(statement, node, "nameSpan");
    }
    if (!isMap(node)) return undefined;
    const nameNode = this.get(node, "name");
    const statement: ModelStatement = this.at({ kind: "model", name: String(isScalar(nameNode) ? nameNode.value : "") }, node);
    this.at(statement, nameNode ?? node, "nameSpan");
    const from = this.get(node, "from");
    if (from) statement.from = this.expr(from, "path");
    const options = this.modelOptions(node);
    if (options) statement.options = options;
    return statement;
  }

  pipeline(node: YamlNode): PipelineStatement {
    const body: Statement[] = [];
    const nameNode = this.get(node, "name");
    const statement: PipelineStatement = { kind: "pipeline", body };
    if (isScalar(nameNode)) statement.name = String(nameNode.value);
    this.at(statement, node);
    this.at(statement, nameNode ?? (isMap(node) ? (node.items[0]?.key as YamlNode) : node), "nameSpan");
    const models = this.get(node, "models");
    if (isSeq(models)) for (const item of models.items) {
      const model = this.model(item as YamlNode);
      if (model) body.push(model);
    }
    for (const setting of ["memory", "policy", "workers"] as const) {
      const value = this.get(node, setting);
      if (!value) continue;
      const role = setting === "memory" ? "size" : setting === "policy" ? "name" : "count";
      body.push(this.at({ kind: "setting", setting, value: this.expr(value, role) }, value));
    }
    const arrivals = this.get(node, "arrivals");
    if (isMap(arrivals)) {
      const args: Expr[] = [this.expr(this.get(arrivals, "kind"), "name")];
      for (const pair of arrivals.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : "";
        if (key === "kind") continue;
        args.push(this.at({ kind: "name", name: key }, pair.key as YamlNode));
        args.push(this.expr(pair.value as YamlNode, DURATION_KEYS.has(key) ? "duration" : "count"));
      }
      body.push(this.at({ kind: "arrivals", args }, arrivals));
    }
    const session = this.get(node, "session");
    if (session) body.push(this.at({ kind: "session", options: this.expr(session, "any") }, session));
    return statement;
  }

  document(root: YamlNode): MemaDocument {
    const statements: Statement[] = [];
    const lets = this.get(root, "let");
    if (isMap(lets)) for (const pair of lets.items) {
      const statement = this.at({ kind: "let", name: isScalar(pair.key) ? String(pair.key.value) : "", value: this.expr(pair.value as YamlNode, "any") } as Statement, pair.key as YamlNode);
      statements.push(this.at(statement, pair.key as YamlNode, "nameSpan"));
    }
    const models = this.get(root, "models");
    if (isMap(models)) for (const pair of models.items) {
      const name = isScalar(pair.key) ? String(pair.key.value) : "";
      const statement: ModelStatement = this.at({ kind: "model", name }, pair.key as YamlNode);
      this.at(statement, pair.key as YamlNode, "nameSpan");
      const from = this.get(pair.value as YamlNode, "from");
      if (from) statement.from = this.expr(from, "path");
      const options = this.modelOptions(pair.value as YamlNode);
      if (options) statement.options = options;
      statements.push(statement);
    }
    const pipelines = this.get(root, "pipelines");
    if (isSeq(pipelines)) for (const item of pipelines.items) statements.push(this.pipeline(item as YamlNode));
    const single = this.get(root, "pipeline");
    if (single) statements.push(this.pipeline(single));
    return setSpan({ kind: "document", statements } as MemaDocument, { offset: 0, length: 1, line: 1, column: 1, file: this.file });
  }
}

/** Property names allowed per parent key, for "did you mean" on unknown properties. */
const ALLOWED: Record<string, string[]> = {
  "": MEMA_KEYS,
  pipelines: ["name", "models", "memory", "policy", "workers", "arrivals", "session"],
  pipeline: ["name", "models", "memory", "policy", "workers", "arrivals", "session"],
  models: ["name", "from", "shapes", "input", "seed"],
  arrivals: ["kind", "rounds", "gap", "period", "mean", "sd", "count", "seed", "pick", "times"],
};

const TOO_DEEP = `nesting deeper than ${MAX_NESTING} levels of mappings and lists; the file is not read further`;

/** The first collection nested deeper than MAX_NESTING (walked without recursion: the depth is what is checked). */
function tooDeep(root: unknown): YamlNode | undefined {
  const stack: [unknown, number][] = [[root, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (!isMap(node) && !isSeq(node)) continue;
    if (depth > MAX_NESTING) return node as YamlNode;
    for (const item of node.items) {
      if (isPair(item)) stack.push([item.value, depth + 1]);
      else stack.push([item, depth + 1]);
    }
  }
  return undefined;
}

function run(text: string, options: CompileOptions, withPlan: boolean): CompileResult {
  const file = options.file ?? "<input>";
  const files = new Map([[file, text]]);
  try {
    const lines = new LineTable(text);
    const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
    const translator = new YamlTranslator(file, lines, doc);
    const errorLines = new Set<number>();
    for (const e of [...doc.errors]) {
      const pos = lines.position(Math.min(e.pos[0], text.length));
      if (errorLines.has(pos.line)) continue; // the rest of a line after a YAML error is mostly echo
      errorLines.add(pos.line);
      // The yaml package reports its own stack overflow on deep nesting as an error at the place.
      const [code, message] = /call stack/i.test(e.message) ? ["E_LIMIT", TOO_DEEP] : ["E_YAML", e.message.split("\n")[0]!];
      translator.error(code, message, { offset: e.pos[0], length: Math.max(1, e.pos[1] - e.pos[0]), ...pos });
    }
    if (translator.diagnostics.length > 0) return { diagnostics: translator.diagnostics, files };
    const deep = tooDeep(doc.contents);
    if (deep) {
      translator.error("E_LIMIT", TOO_DEEP, translator.span(deep));
      return { diagnostics: translator.diagnostics, files };
    }
    const value: unknown = doc.toJS();
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      translator.error("E_SCHEMA", "$: expected a mapping (a pipeline document, or a config with a 'pipeline' key)", translator.span(doc.contents as YamlNode));
      return { diagnostics: translator.diagnostics, files };
    }
    const record = value as Record<string, unknown>;
    const catalog = options.catalog ?? defaultCatalog;
    const validate = validatorsFor(catalog);
    if (record["version"] === 1 && Array.isArray(record["pipelines"]) && !("pipeline" in record)) {
      // An already compiled plan (`mema plan --json`): the number 1 as its version beside a `pipelines` list.
      // A top-level `version` alone ("1.2.3") is common in other tools' configs that hold a `pipeline` key.
      // The schema is the whole check.
      if (!validate.plan(record)) {
        translator.schemaErrors(validate.plan.errors ?? [], {});
        return { diagnostics: tidyDiagnostics(translator.diagnostics), files };
      }
      return { ...(withPlan ? { plan: record as unknown as Plan } : {}), diagnostics: [], files };
    }
    // Inside another tool's config only the `pipeline` key is ours.
    const foreign = Object.keys(record).some((k) => !MEMA_KEYS.includes(k));
    const ours = foreign && "pipeline" in record ? { pipeline: record["pipeline"] } : record;
    if (!validate.config(ours)) {
      translator.schemaErrors(validate.config.errors ?? [], ALLOWED);
      return { diagnostics: tidyDiagnostics(translator.diagnostics), files };
    }
    const ast = translator.document(doc.contents as YamlNode);
    const result = compileDocument(ast, text, options, withPlan);
    return { ...result, files: new Map([...files, ...result.files]) };
  } catch (error) {
    return {
      diagnostics: [{ code: "E_INTERNAL", severity: "error", message: `internal error: ${(error as Error).message}`, file, line: 1, column: 1, length: 1 }],
      files,
    };
  }
}

/** Compiles a YAML or JSON document to a plan. Never throws. */
export function compileConfig(text: string, options: CompileOptions = {}): CompileResult {
  return run(text, options, true);
}

/** Checks a YAML or JSON document. Never throws. */
export function checkConfig(text: string, options: CompileOptions = {}): { diagnostics: Diagnostic[]; files: Map<string, string> } {
  const { diagnostics, files } = run(text, options, false);
  return { diagnostics, files };
}
