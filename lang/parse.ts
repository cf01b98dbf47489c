// Text to syntax tree: lexing, chevrotain parsing with recovery, and the CST-to-AST step. Never throws.
import type { CstElement, CstNode, IRecognitionException, IToken } from "chevrotain";
import {
  type Expr,
  markBroken,
  type MemaDocument,
  type RecordField,
  type Span,
  type Statement,
  setSpan,
} from "./ast.ts";
import type { Diagnostic } from "./diagnostics.ts";
import { MAX_NESTING } from "./limits.ts";
import { memaParser, PIPELINE_NOT_CLOSED } from "./parser.ts";
import { splitQuantity, unquote } from "./literals.ts";
import { memaLexer, PIPELINE_STATEMENTS, STATEMENT_KEYWORDS } from "./tokens.ts";

export { splitQuantity };

export interface ParseResult {
  ast?: MemaDocument;
  diagnostics: Diagnostic[];
  /** Comment tokens, for the formatter. */
  comments: IToken[];
  /** Every significant token, for the formatter. */
  tokens: IToken[];
  /** The '{' / '<' tokens that open a block of statements (not a record), for the formatter. */
  blockOpeners: Set<IToken>;
}

const isReal = (token: IToken | undefined): token is IToken =>
  token !== undefined && Number.isFinite(token.startOffset) && token.tokenType.name !== "EOF";

export function tokenSpan(token: IToken): Span {
  return {
    offset: token.startOffset,
    length: Math.max(1, (token.endOffset ?? token.startOffset + token.image.length - 1) - token.startOffset + 1),
    line: token.startLine ?? 1,
    column: token.startColumn ?? 1,
  };
}

/** The span right after a token: where a missing ';' or value belongs. */
function afterToken(token: IToken): Span {
  const end = token.endOffset ?? token.startOffset;
  return { offset: end + 1, length: 1, line: token.endLine ?? token.startLine ?? 1, column: (token.endColumn ?? token.startColumn ?? 0) + 1 };
}

function isToken(element: CstElement): element is IToken {
  return (element as IToken).image !== undefined;
}

/** First and last real tokens below a CST node (recovered tokens have NaN offsets and are skipped). */
function bounds(node: CstNode): [IToken, IToken] | undefined {
  let first: IToken | undefined;
  let last: IToken | undefined;
  const visit = (n: CstNode) => {
    for (const list of Object.values(n.children)) {
      for (const element of list) {
        if (isToken(element)) {
          if (!isReal(element)) continue;
          if (!first || element.startOffset < first.startOffset) first = element;
          if (!last || element.startOffset > last.startOffset) last = element;
        } else visit(element);
      }
    }
  };
  visit(node);
  return first && last ? [first, last] : undefined;
}

function spanBetween(first: IToken, last: IToken): Span {
  return {
    offset: first.startOffset,
    length: (last.endOffset ?? last.startOffset) - first.startOffset + 1,
    line: first.startLine ?? 1,
    column: first.startColumn ?? 1,
  };
}

const firstChild = (node: CstNode): CstElement | undefined => {
  for (const key in node.children) return node.children[key]![0];
  return undefined;
};
const imageOf = (token: IToken | undefined): string => (isReal(token) ? token.image : "");
const tok = (node: CstNode, name: string, i = 0): IToken | undefined => node.children[name]?.[i] as IToken | undefined;
const sub = (node: CstNode, name: string, i = 0): CstNode | undefined => node.children[name]?.[i] as CstNode | undefined;
const subs = (node: CstNode, name: string): CstNode[] => (node.children[name] ?? []) as CstNode[];

class AstBuilder {
  readonly diagnostics: Diagnostic[] = [];

  constructor(
    readonly file: string,
    readonly tokens: IToken[],
  ) {}

  /** setSpan, with the file recorded so diagnostics on values from other files point at the right file. */
  mark<T extends object>(node: T, span: Span, key = "span"): T {
    span.file = this.file;
    return setSpan(node, span, key);
  }

  private starts: number[] | undefined;
  /** Index of the token starting at or last before `offset` (tokens are in source order). */
  tokenIndexAt(offset: number): number {
    if (!this.starts) this.starts = this.tokens.map((t) => t.startOffset);
    const starts = this.starts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  nodeSpan(node: CstNode): Span | undefined {
    const b = this.firstLast(node);
    return b ? spanBetween(b[0], b[1]) : undefined;
  }

  /** First and last real tokens of a node: from chevrotain's location when it is whole, else by walking. */
  firstLast(node: CstNode): [IToken, IToken] | undefined {
    const loc = node.location;
    if (loc && Number.isFinite(loc.startOffset) && Number.isFinite(loc.endOffset)) {
      const first = this.tokens[this.tokenIndexAt(loc.startOffset)];
      const last = this.tokens[this.tokenIndexAt(loc.endOffset!)];
      if (first && last && first.startOffset === loc.startOffset) return [first, last];
    }
    return bounds(node);
  }

  error(code: string, message: string, span: Span): void {
    this.diagnostics.push({ code, severity: "error", message, file: this.file, line: span.line, column: span.column, length: span.length });
  }

  /** A span for a token, or right after the previous real token when it was inserted by recovery. */
  spanFor(token: IToken | undefined, fallback: Span): Span {
    if (isReal(token)) return tokenSpan(token);
    return fallback;
  }

  document(cst: CstNode): MemaDocument {
    const statements = this.block(cst, "document");
    return this.mark({ kind: "document", statements } as MemaDocument, { offset: 0, length: 1, line: 1, column: 1 });
  }

  /** Statements of a block, checking the ';' between them and reporting stray tokens. */
  block(cst: CstNode, where: "document" | "pipeline", quiet = false): Statement[] {
    const nodes = subs(cst, "statement");
    const statements: Statement[] = [];
    nodes.forEach((node, i) => {
      const statement = this.statement(node);
      if (!statement) return;
      statements.push(statement);
      const inner = firstChild(node) as CstNode | undefined;
      const next = nodes[i + 1];
      if (!quiet && inner && next && inner.name !== "pipelineStatement" && !sub(inner, "block") && !tok(inner, "Semicolon")) {
        // Only when the next statement follows directly: stray tokens in between are reported as such.
        const b = this.firstLast(inner);
        const nextBounds = this.firstLast(next);
        const unterminated = b?.[1].tokenType.name === "UnterminatedString"; // already reported
        if (b && nextBounds && !unterminated && this.tokens[this.indexOf(b[1]) + 1] === nextBounds[0])
          this.error("E_SYNTAX", `expected ';' after this statement`, afterToken(b[1]));
      }
    });
    const strays = [...((cst.children["Stray"] ?? []) as IToken[]), ...((cst.children["Closer"] ?? []) as IToken[])].filter(isReal);
    const strayIndexes = new Set(strays.map((t) => this.indexOf(t)));
    for (const stray of strays) {
      if (quiet || stray.tokenType.name === "Semicolon") continue; // empty statements are harmless
      const index = this.indexOf(stray);
      const previous = this.tokens[index - 1];
      // Report a run of stray tokens once, at its first non-';' token.
      if (strayIndexes.has(index - 1) && previous && previous.tokenType.name !== "Semicolon") continue;
      const expected = where === "pipeline" ? PIPELINE_STATEMENTS : STATEMENT_KEYWORDS;
      const what =
        stray.tokenType.name === "RBrace" || stray.tokenType.name === "RAngle"
          ? `unexpected '${stray.image}': no pipeline is open here`
          : `unexpected '${stray.image}', expected a statement (${expected.join(", ")})`;
      this.error("E_SYNTAX", what, tokenSpan(stray));
    }
    return statements;
  }

  /** Whether a parser error lies between the last statement boundary before `token` and `token`. */
  followsError(token: IToken): boolean {
    const index = this.indexOf(token);
    let start = 0;
    for (let i = index - 1; i >= 0; i--) {
      const name = this.tokens[i]!.tokenType.name;
      if (name === "Semicolon" || name === "LBrace" || name === "RBrace" || name === "LAngle" || name === "RAngle") {
        start = this.tokens[i]!.startOffset;
        break;
      }
    }
    if (index <= 0) return false;
    return this.errorOffsets.some((offset) => offset >= start && offset < token.startOffset);
  }

  errorOffsets: number[] = [];
  readonly blockOpeners = new Set<IToken>();
  /** Pipeline openers without their closer, innermost first. */
  readonly unclosed: IToken[] = [];

  indexOf(token: IToken): number {
    if (!isReal(token)) return -1;
    const index = this.tokenIndexAt(token.startOffset);
    return this.tokens[index] === token ? index : -1;
  }

  statement(cst: CstNode): Statement | undefined {
    const inner = firstChild(cst) as CstNode | undefined;
    if (!inner || isToken(inner)) return undefined;
    const b = this.firstLast(inner);
    if (!b) return undefined;
    const span = spanBetween(b[0], b[1]);
    const name = imageOf;
    let statement: Statement;
    switch (inner.name) {
      case "importStatement": {
        const terminated = tok(inner, "StringLiteral");
        const open = tok(inner, "UnterminatedString");
        const literal = terminated ?? open;
        statement = { kind: "import", path: isReal(literal) ? unquote(literal.image, literal === terminated) : "" };
        if (isReal(literal)) this.mark(statement, tokenSpan(literal), "pathSpan");
        if (literal === open) markBroken(statement); // reported as unterminated: nothing to import
        break;
      }
      case "letStatement": {
        const id = tok(inner, "Identifier");
        statement = { kind: "let", name: name(id), value: this.expression(sub(inner, "expression"), b[1]) };
        this.mark(statement, this.spanFor(id, span), "nameSpan");
        break;
      }
      case "modelStatement": {
        const id = tok(inner, "Identifier");
        const model: Statement = { kind: "model", name: name(id) };
        if (tok(inner, "From")) model.from = this.expression(sub(inner, "expression"), tok(inner, "From")!);
        const options = sub(inner, "record");
        if (options) model.options = this.record(options);
        statement = model;
        this.mark(statement, this.spanFor(id, span), "nameSpan");
        break;
      }
      case "pipelineStatement": {
        const id = tok(inner, "Identifier");
        const pipeline: Statement = { kind: "pipeline", body: this.block(inner, "pipeline") };
        if (isReal(id)) {
          pipeline.name = id.image;
          this.mark(pipeline, tokenSpan(id), "nameSpan");
        } else this.mark(pipeline, tokenSpan(tok(inner, "Pipeline") ?? b[0]), "nameSpan");
        const open = tok(inner, "LBrace") ?? tok(inner, "LAngle");
        const close = tok(inner, "RBrace") ?? tok(inner, "RAngle");
        if (isReal(open)) this.blockOpeners.add(open);
        if (isReal(open) && !isReal(close)) this.unclosed.push(open);
        if (isReal(open) && isReal(close)) {
          const expected = open.image === "{" ? "}" : ">";
          if (close.image !== expected)
            this.error("E_SYNTAX", `expected '${expected}' to close the pipeline opened at ${open.startLine}:${open.startColumn}`, tokenSpan(close));
        }
        statement = pipeline;
        break;
      }
      case "settingStatement": {
        const keyword = (tok(inner, "Memory") ?? tok(inner, "Policy") ?? tok(inner, "Workers"))!;
        statement = {
          kind: "setting",
          setting: keyword.image as "memory" | "policy" | "workers",
          value: this.expression(sub(inner, "expression"), keyword),
        };
        break;
      }
      case "arrivalsStatement":
        statement = { kind: "arrivals", args: subs(inner, "expression").map((e) => this.expression(e, b[0])) };
        break;
      case "sessionStatement":
        statement = { kind: "session", options: this.expression(sub(inner, "expression"), b[0]) };
        break;
      default: {
        const id = tok(inner, "Identifier");
        const unknown: Statement = { kind: "unknown", keyword: name(id), args: subs(inner, "argument").map((e) => this.expression(e, b[0])) };
        const blockNode = sub(inner, "block");
        if (blockNode) {
          unknown.body = this.block(blockNode, "pipeline", true);
          const open = tok(blockNode, "LBrace") ?? tok(blockNode, "LAngle");
          if (isReal(open)) this.blockOpeners.add(open);
        }
        statement = unknown;
        this.mark(statement, this.spanFor(id, span), "nameSpan");
        // After a syntax error the parser may resume mid-statement: a word there is no new statement.
        if (isReal(id) && this.followsError(id)) markBroken(statement);
      }
    }
    return this.mark(statement, span);
  }

  /** An expression; a missing one (recovery) becomes `missing`, anchored after `previous`. */
  expression(cst: CstNode | undefined, previous: IToken): Expr {
    // Most values are one token: their span is the token's, no lookup needed.
    const only = cst ? firstChild(cst) : undefined;
    const span = only && isToken(only) ? (isReal(only) ? tokenSpan(only) : undefined) : cst ? this.nodeSpan(cst) : undefined;
    if (!cst || !span) return this.mark({ kind: "missing" } as Expr, isReal(previous) ? afterToken(previous) : { offset: 0, length: 1, line: 1, column: 1 });
    const listNode = sub(cst, "list");
    if (listNode) {
      const items = subs(listNode, "expression").map((e) => this.expression(e, previous));
      return this.mark({ kind: "list", items } as Expr, span);
    }
    const recordNode = sub(cst, "record");
    if (recordNode) return this.record(recordNode);
    const token = only as IToken;
    let expr: Expr;
    switch (token.tokenType.name) {
      case "Quantity": {
        const { value, unit } = splitQuantity(token.image);
        expr = { kind: "quantity", value, unit };
        break;
      }
      case "StringLiteral":
        expr = { kind: "string", value: unquote(token.image, true) };
        break;
      case "UnterminatedString":
        expr = markBroken({ kind: "string", value: unquote(token.image, false) });
        break;
      case "True":
      case "False":
        expr = { kind: "bool", value: token.image === "true" };
        break;
      default:
        expr = { kind: "name", name: token.image };
    }
    return this.mark(expr, span);
  }

  record(cst: CstNode): Expr {
    const span = this.nodeSpan(cst) ?? { offset: 0, length: 1, line: 1, column: 1 };
    const fields: RecordField[] = [];
    for (const field of subs(cst, "field")) {
      const key = tok(field, "Identifier") ?? tok(field, "StringLiteral");
      if (!isReal(key)) continue;
      const entry: RecordField = {
        key: key.tokenType.name === "StringLiteral" ? unquote(key.image, true) : key.image,
        value: this.expression(sub(field, "expression"), tok(field, "Colon") ?? key),
      };
      fields.push(this.mark(entry, tokenSpan(key), "keySpan"));
    }
    return this.mark({ kind: "record", fields } as Expr, span);
  }
}

/** End positions from the image: no token spans lines (strings, comments and units stop at a newline). The
 * lexer tracks start positions only; the formatter falls back to the start line, which is the same. */
function completePositions(tokens: IToken[]): void {
  for (const token of tokens) {
    const last = token.image.length - 1;
    token.endOffset = token.startOffset + last;
    token.endLine = token.startLine;
    token.endColumn = (token.startColumn ?? 1) + last;
  }
}

function lex(text: string, file: string, diagnostics: Diagnostic[]) {
  const lexed = memaLexer.tokenize(text);
  for (const e of lexed.errors) {
    diagnostics.push({
      code: "E_SYNTAX",
      severity: "error",
      message: e.message,
      file,
      line: e.line ?? 1,
      column: e.column ?? 1,
      length: Math.max(1, e.length),
    });
  }
  for (const token of lexed.tokens) {
    if (token.tokenType.name !== "UnterminatedString") continue;
    const span = tokenSpan(token);
    diagnostics.push({
      code: "E_UNTERMINATED_STRING",
      severity: "error",
      message: `unterminated string: add a closing '"' before the end of the line`,
      file,
      line: span.line,
      column: span.column,
      length: span.length,
    });
  }
  return lexed;
}

/** One diagnostic per position: the first (lexer, then parser) explains it best; the rest are echoes. */
function onePerPosition(list: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return list
    .filter((d) => {
      const key = `${d.line}:${d.column}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .sort((a, b) => a.line - b.line || a.column - b.column);
}

function parserDiagnostics(errors: IRecognitionException[], tokens: IToken[], file: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const e of errors) {
    let span: Span;
    const previous = (e as { previousToken?: IToken }).previousToken;
    if (isReal(e.token)) span = tokenSpan(e.token);
    else if (isReal(previous)) span = afterToken(previous);
    else {
      const last = [...tokens].reverse().find(isReal);
      span = last ? afterToken(last) : { offset: 0, length: 1, line: 1, column: 1 };
    }
    out.push({ code: "E_SYNTAX", severity: "error", message: e.message, file, line: span.line, column: span.column, length: span.length });
  }
  return out;
}

/**
 * The first token nested deeper than MAX_NESTING brackets, braces and angles: the parsers (and everything
 * after them) recurse once per level, so a deeper text is refused before it can exhaust the stack.
 */
function tooDeep(tokens: IToken[]): IToken | undefined {
  let depth = 0;
  for (const token of tokens) {
    const name = token.tokenType.name;
    if (name === "LBrace" || name === "LBracket" || name === "LAngle") {
      depth += 1;
      if (depth > MAX_NESTING) return token;
    } else if (name === "RBrace" || name === "RBracket" || name === "RAngle") depth = Math.max(0, depth - 1);
  }
  return undefined;
}

function nestingDiagnostic(token: IToken, file: string): Diagnostic {
  const span = tokenSpan(token);
  const message = `nesting deeper than ${MAX_NESTING} levels of brackets, braces and blocks; the file is not read further`;
  return { code: "E_LIMIT", severity: "error", message, file, line: span.line, column: span.column, length: span.length };
}

/** Text without its byte order mark: editors on Windows write one, and it is no part of the document. */
export function withoutBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Parses .mema text. Returns a tree whenever one could be recovered, and every syntax error. */
export function parse(text: string, file = "<input>"): ParseResult {
  const diagnostics: Diagnostic[] = [];
  try {
    const lexed = lex(withoutBom(text), file, diagnostics);
    const comments = lexed.groups["comments"] ?? [];
    const deep = tooDeep(lexed.tokens);
    if (deep) {
      diagnostics.push(nestingDiagnostic(deep, file));
      return { diagnostics: onePerPosition(diagnostics), comments, tokens: lexed.tokens, blockOpeners: new Set() };
    }
    completePositions(lexed.tokens);
    memaParser.input = lexed.tokens;
    const cst = memaParser.document();
    for (const d of parserDiagnostics(memaParser.errors, lexed.tokens, file)) diagnostics.push(d);
    const builder = new AstBuilder(file, lexed.tokens);
    builder.errorOffsets = memaParser.errors.map((e) => (isReal(e.token) ? e.token.startOffset : (e as { previousToken?: IToken }).previousToken?.startOffset ?? 0));
    const ast = builder.document(cst);
    for (const d of builder.diagnostics) diagnostics.push(d);
    const open = builder.unclosed[0];
    for (const d of diagnostics) {
      if (d.message !== PIPELINE_NOT_CLOSED) continue;
      d.message = open
        ? `the pipeline opened at ${open.startLine}:${open.startColumn} is not closed: expected '${open.image === "{" ? "}" : ">"}' before the end of the file`
        : "the pipeline is not closed: expected '>' before the end of the file";
    }
    return { ast, diagnostics: onePerPosition(diagnostics), comments, tokens: lexed.tokens, blockOpeners: builder.blockOpeners };
  } catch (error) {
    // A bug, not bad input: still never throw to the caller.
    diagnostics.push({ code: "E_INTERNAL", severity: "error", message: `internal error while parsing: ${(error as Error).message}`, file, line: 1, column: 1, length: 1 });
    return { diagnostics, comments: [], tokens: [], blockOpeners: new Set() };
  }
}

/** Parses one expression (a `--set` value); `file` names it in diagnostics. */
export function parseExpression(text: string, file: string): { expr?: Expr; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  try {
    const lexed = lex(text, file, diagnostics);
    const deep = tooDeep(lexed.tokens);
    if (deep) {
      diagnostics.push(nestingDiagnostic(deep, file));
      return { diagnostics: onePerPosition(diagnostics) };
    }
    completePositions(lexed.tokens);
    memaParser.input = lexed.tokens;
    const cst = memaParser.expression();
    for (const d of parserDiagnostics(memaParser.errors, lexed.tokens, file)) diagnostics.push(d);
    const builder = new AstBuilder(file, lexed.tokens);
    const first = lexed.tokens[0];
    const expr = first ? builder.expression(cst, first) : undefined;
    for (const d of builder.diagnostics) diagnostics.push(d);
    if (!first && diagnostics.length === 0)
      diagnostics.push({ code: "E_SYNTAX", severity: "error", message: "expected a value", file, line: 1, column: 1, length: 1 });
    return expr ? { expr, diagnostics: onePerPosition(diagnostics) } : { diagnostics: onePerPosition(diagnostics) };
  } catch (error) {
    diagnostics.push({ code: "E_INTERNAL", severity: "error", message: `internal error while parsing: ${(error as Error).message}`, file, line: 1, column: 1, length: 1 });
    return { diagnostics };
  }
}
