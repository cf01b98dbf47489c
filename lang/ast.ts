// The .mema syntax tree. Source spans hang on nodes as non-enumerable properties, so trees compare
// and serialise by shape alone (deepEqual, JSON.stringify) while diagnostics can still point at text.

/** A stretch of source text. Lines and columns are 1-based; `offset` is 0-based, in UTF-16 units. */
export interface Span {
  offset: number;
  length: number;
  line: number;
  column: number;
  /** The file the text comes from, as shown to the user. */
  file?: string;
}

export interface QuantityExpr {
  kind: "quantity";
  value: number;
  /** The unit as written (`MB`, `ms`), or null for a bare number. */
  unit: string | null;
}
export interface StringExpr {
  kind: "string";
  value: string;
}
/** A name: a `let` variable when one is in scope, otherwise a symbol (zoo network, policy, ...). */
export interface NameExpr {
  kind: "name";
  name: string;
}
export interface BoolExpr {
  kind: "bool";
  value: boolean;
}
export interface ListExpr {
  kind: "list";
  items: Expr[];
}
export interface RecordField {
  key: string;
  value: Expr;
}
export interface RecordExpr {
  kind: "record";
  fields: RecordField[];
}
/** Where the parser recovered from a missing value: the error is already reported. */
export interface MissingExpr {
  kind: "missing";
}
export type Expr = QuantityExpr | StringExpr | NameExpr | BoolExpr | ListExpr | RecordExpr | MissingExpr;

export interface ImportStatement {
  kind: "import";
  path: string;
}
export interface LetStatement {
  kind: "let";
  name: string;
  value: Expr;
}
export interface ModelStatement {
  kind: "model";
  name: string;
  from?: Expr;
  options?: Expr;
}
export interface PipelineStatement {
  kind: "pipeline";
  name?: string;
  body: Statement[];
}
export interface SettingStatement {
  kind: "setting";
  setting: "memory" | "policy" | "workers";
  value: Expr;
}
export interface ArrivalsStatement {
  kind: "arrivals";
  args: Expr[];
}
export interface SessionStatement {
  kind: "session";
  options: Expr;
}
/** A statement whose first word is not a keyword (a typo, usually): reported by the checker. */
export interface UnknownStatement {
  kind: "unknown";
  keyword: string;
  args: Expr[];
  /** The statements of a block after it, if any (not checked: the keyword is unknown). */
  body?: Statement[];
}
export type Statement =
  | ImportStatement
  | LetStatement
  | ModelStatement
  | PipelineStatement
  | SettingStatement
  | ArrivalsStatement
  | SessionStatement
  | UnknownStatement;

export interface MemaDocument {
  kind: "document";
  statements: Statement[];
}

export type Node = Expr | Statement | MemaDocument;

/** Attaches a span to a node (or to one of its parts, e.g. "nameSpan") without changing its shape. */
export function setSpan<T extends object>(node: T, span: Span, key = "span"): T {
  Object.defineProperty(node, key, { value: span, enumerable: false, configurable: true, writable: true });
  return node;
}

/** The span a node was given, if any. */
export function spanOf(node: object, key = "span"): Span | undefined {
  return (node as Record<string, Span | undefined>)[key];
}

/** Marks a node the parser could only partly recover (its errors are reported; checks skip it). */
export function markBroken<T extends object>(node: T): T {
  Object.defineProperty(node, "broken", { value: true, enumerable: false, configurable: true });
  return node;
}

export function isBroken(node: object): boolean {
  return (node as { broken?: boolean }).broken === true;
}
