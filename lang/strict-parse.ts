// The fast path for well-formed text: a strict recursive-descent reading of the lexer's tokens that
// builds exactly the tree (and spans) lang/parse.ts builds from chevrotain's CST. At the first thing
// that would be a diagnostic it gives up (returns undefined) and parse.ts runs the chevrotain parser
// with error recovery, so every error and its message come from one place. Most files have no
// syntax error; for them this skips the CST and its walk (3-4x less time on a 1 MB file).
import type { IToken, TokenType } from "chevrotain";
import { type Expr, type MemaDocument, type RecordField, type Span, type Statement, setSpan } from "./ast.ts";
import { splitQuantity, unquote } from "./literals.ts";
import {
  Arrivals,
  Colon,
  Comma,
  Equals,
  False,
  From,
  Identifier,
  Import,
  LAngle,
  LBrace,
  LBracket,
  Let,
  Memory,
  Model,
  Pipeline,
  Policy,
  Quantity,
  RAngle,
  RBrace,
  RBracket,
  Semicolon,
  Session,
  StringLiteral,
  True,
  Workers,
} from "./tokens.ts";

/** Thrown (and caught below) when the text needs the recovering parser. */
class NotStrict {}
const notStrict = new NotStrict();

export interface StrictParse {
  ast: MemaDocument;
  blockOpeners: Set<IToken>;
}

/** The tree of `tokens` when they hold no syntax error, else undefined. Never throws. */
export function strictParse(tokens: IToken[], file: string): StrictParse | undefined {
  let at = 0;
  const blockOpeners = new Set<IToken>();
  const typeAt = (i: number): TokenType | undefined => tokens[i]?.tokenType;

  const tokenSpan = (t: IToken): Span => ({ offset: t.startOffset, length: t.image.length || 1, line: t.startLine!, column: t.startColumn!, file });
  const between = (first: IToken, last: IToken): Span => ({
    offset: first.startOffset,
    length: last.startOffset + last.image.length - first.startOffset,
    line: first.startLine!,
    column: first.startColumn!,
    file,
  });
  const expect = (type: TokenType): IToken => {
    const t = tokens[at];
    if (t === undefined || t.tokenType !== type) throw notStrict;
    at++;
    return t;
  };
  const optional = (type: TokenType): IToken | undefined => (tokens[at]?.tokenType === type ? tokens[at++] : undefined);

  function expression(): Expr {
    const t = tokens[at];
    if (t === undefined) throw notStrict;
    const type = t.tokenType;
    let expr: Expr;
    if (type === Identifier) expr = { kind: "name", name: t.image };
    else if (type === Quantity) {
      const { value, unit } = splitQuantity(t.image);
      expr = { kind: "quantity", value, unit };
    } else if (type === StringLiteral) expr = { kind: "string", value: unquote(t.image, true) };
    else if (type === True || type === False) expr = { kind: "bool", value: type === True };
    else if (type === LBracket) return list();
    else if (type === LBrace) return record();
    else throw notStrict;
    at++;
    return setSpan(expr, tokenSpan(t));
  }

  function list(): Expr {
    const open = expect(LBracket);
    const items: Expr[] = [];
    if (typeAt(at) !== RBracket) {
      items.push(expression());
      while (typeAt(at) === Comma && typeAt(at + 1) !== RBracket) {
        at++;
        items.push(expression());
      }
      optional(Comma);
    }
    const close = expect(RBracket);
    return setSpan({ kind: "list", items } as Expr, between(open, close));
  }

  function record(): Expr {
    const open = expect(LBrace);
    const fields: RecordField[] = [];
    if (typeAt(at) !== RBrace) {
      fields.push(field());
      while (typeAt(at) === Comma && typeAt(at + 1) !== RBrace) {
        at++;
        fields.push(field());
      }
      optional(Comma);
    }
    const close = expect(RBrace);
    return setSpan({ kind: "record", fields } as Expr, between(open, close));
  }

  function field(): RecordField {
    const key = tokens[at];
    if (key === undefined || (key.tokenType !== Identifier && key.tokenType !== StringLiteral)) throw notStrict;
    at++;
    expect(Colon);
    const entry: RecordField = { key: key.tokenType === StringLiteral ? unquote(key.image, true) : key.image, value: expression() };
    return setSpan(entry, tokenSpan(key), "keySpan");
  }

  /** Statements up to a closer (or the end of the file at the top level); ';' on its own is harmless. */
  function block(closer: TokenType | undefined): Statement[] {
    const statements: Statement[] = [];
    for (;;) {
      const type = typeAt(at);
      if (type === closer) return statements; // undefined: the end of the file
      if (type === undefined) throw notStrict; // a block left open
      if (type === Semicolon) {
        at++;
        continue;
      }
      statements.push(statementAt());
      // A statement that is not the last of its block needs its ';' (chevrotain's path reports it).
      if (!ended && typeAt(at) !== closer && typeAt(at) !== Semicolon) throw notStrict;
    }
  }

  /** A `{ … }` or `< … >` block of statements, closed by its own kind of closer. */
  function body(): { statements: Statement[]; close: IToken } {
    const open = tokens[at];
    const closer = open?.tokenType === LBrace ? RBrace : open?.tokenType === LAngle ? RAngle : undefined;
    if (closer === undefined) throw notStrict;
    at++;
    blockOpeners.add(open!);
    const statements = block(closer);
    return { statements, close: expect(closer) };
  }

  /** Whether the last statement read closed with ';' or a block, so another may follow directly. */
  let ended = false;

  function statementAt(): Statement {
    const first = tokens[at]!;
    const type = first.tokenType;
    let statement: Statement;
    let last: IToken;
    at++;
    if (type === Pipeline) {
      const id = optional(Identifier);
      const { statements, close } = body();
      const pipeline: Statement = { kind: "pipeline", body: statements };
      if (id) pipeline.name = id.image;
      setSpan(pipeline, tokenSpan(id ?? first), "nameSpan");
      ended = true;
      return setSpan(pipeline, between(first, close));
    }
    if (type === Import) {
      const literal = expect(StringLiteral);
      statement = setSpan({ kind: "import", path: unquote(literal.image, true) } as Statement, tokenSpan(literal), "pathSpan");
      last = literal;
    } else if (type === Let) {
      const id = expect(Identifier);
      expect(Equals);
      statement = setSpan({ kind: "let", name: id.image, value: expression() } as Statement, tokenSpan(id), "nameSpan");
    } else if (type === Model) {
      const id = expect(Identifier);
      const model: Statement = { kind: "model", name: id.image };
      if (optional(From)) model.from = expression();
      if (typeAt(at) === LBrace) model.options = record();
      statement = setSpan(model, tokenSpan(id), "nameSpan");
    } else if (type === Memory || type === Policy || type === Workers) {
      statement = { kind: "setting", setting: first.image as "memory" | "policy" | "workers", value: expression() };
    } else if (type === Arrivals) {
      const args: Expr[] = [];
      while (startsExpression(typeAt(at))) args.push(expression());
      statement = { kind: "arrivals", args };
    } else if (type === Session) {
      statement = { kind: "session", options: expression() };
    } else if (type === Identifier) {
      const args: Expr[] = [];
      while (startsExpression(typeAt(at)) && typeAt(at) !== LBrace) args.push(expression());
      const unknown: Statement = { kind: "unknown", keyword: first.image, args };
      let withBlock = false;
      if (typeAt(at) === LBrace || typeAt(at) === LAngle) {
        unknown.body = body().statements;
        withBlock = true;
      }
      const semicolon = optional(Semicolon);
      setSpan(unknown, tokenSpan(first), "nameSpan");
      ended = withBlock || semicolon !== undefined;
      return setSpan(unknown, between(first, tokens[at - 1]!));
    } else throw notStrict;
    last = tokens[at - 1]!;
    const semicolon = optional(Semicolon);
    ended = semicolon !== undefined;
    return setSpan(statement, between(first, semicolon ?? last));
  }

  try {
    const statements = block(undefined);
    const ast = setSpan({ kind: "document", statements } as MemaDocument, { offset: 0, length: 1, line: 1, column: 1, file });
    return { ast, blockOpeners };
  } catch (error) {
    if (error === notStrict) return undefined;
    throw error;
  }
}

function startsExpression(type: TokenType | undefined): boolean {
  return type === Identifier || type === Quantity || type === StringLiteral || type === True || type === False || type === LBracket || type === LBrace;
}
