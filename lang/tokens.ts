// The .mema tokens: one lexer, built once at module load. Keywords fall back to names (longer_alt).
import type { TokenType } from "chevrotain";
import { createToken, Lexer } from "./chevrotain.ts";

/** Units a number may carry; a space before the unit is allowed only for these spellings. */
export const SIZE_UNITS = ["B", "KB", "MB", "GB", "KiB", "MiB", "GiB"] as const;
export const DURATION_UNITS = ["ms", "s", "min"] as const;

export const WhiteSpace = createToken({ name: "WhiteSpace", pattern: /[ \t\r\n\f\v]+/, group: Lexer.SKIPPED });
export const Comment = createToken({ name: "Comment", pattern: /#[^\n\r]*/, group: "comments" });

/** Tokens that can never start a statement: the parser consumes them one by one to recover. */
export const Stray = createToken({ name: "Stray", pattern: Lexer.NA });
/** Block closers: stray at the top level, meaningful inside a pipeline. */
export const Closer = createToken({ name: "Closer", pattern: Lexer.NA });

export const Identifier = createToken({
  name: "Identifier",
  pattern: /[A-Za-z_][A-Za-z0-9_-]*/,
  label: "a name",
});

function keyword(word: string, categories: TokenType[] = []): TokenType {
  return createToken({
    name: word[0]!.toUpperCase() + word.slice(1),
    pattern: new RegExp(word),
    longer_alt: Identifier,
    label: `'${word}'`,
    categories,
  });
}

export const Import = keyword("import");
export const Let = keyword("let");
export const Model = keyword("model");
export const From = keyword("from", [Stray]);
export const Pipeline = keyword("pipeline");
export const Memory = keyword("memory");
export const Policy = keyword("policy");
export const Workers = keyword("workers");
export const Arrivals = keyword("arrivals");
export const Session = keyword("session");
export const True = keyword("true", [Stray]);
export const False = keyword("false", [Stray]);

const spacedUnit = [...SIZE_UNITS, ...DURATION_UNITS].sort((a, b) => b.length - a.length).join("|");
/** A number with an optional unit, glued (`512MB`) or after blanks (`512 MB`, known units only). */
export const Quantity = createToken({
  name: "Quantity",
  pattern: new RegExp(`-?(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:[eE][+-]?\\d+)?(?:[A-Za-z_]+|[ \\t]+(?:${spacedUnit})(?![A-Za-z0-9_-]))?`),
  label: "a number",
  categories: [Stray],
});
export const StringLiteral = createToken({
  name: "StringLiteral",
  pattern: /"(?:[^"\\\r\n]|\\.)*"/,
  label: "a string",
  categories: [Stray],
});
/** A string that reaches the end of its line: kept as a token so parsing goes on after it. */
export const UnterminatedString = createToken({
  name: "UnterminatedString",
  pattern: /"(?:[^"\\\r\n]|\\.)*\\?/,
  label: "a string",
  categories: [Stray],
});

function punctuation(name: string, text: string, categories: TokenType[] = [Stray]): TokenType {
  return createToken({
    name,
    pattern: new RegExp(text.replace(/[[\]{}()<>]/g, (c) => `\\${c}`)),
    label: `'${text}'`,
    categories,
  });
}

export const Semicolon = punctuation("Semicolon", ";");
export const Comma = punctuation("Comma", ",");
export const Colon = punctuation("Colon", ":");
export const Equals = punctuation("Equals", "=");
export const LBrace = punctuation("LBrace", "{");
export const RBrace = punctuation("RBrace", "}", [Closer]);
export const LBracket = punctuation("LBracket", "[");
export const RBracket = punctuation("RBracket", "]");
export const LAngle = punctuation("LAngle", "<");
export const RAngle = punctuation("RAngle", ">", [Closer]);

/** Every statement keyword, in the order messages list them. */
export const STATEMENT_KEYWORDS = [
  "import",
  "let",
  "model",
  "pipeline",
  "memory",
  "policy",
  "workers",
  "arrivals",
  "session",
] as const;
/** Statements allowed inside a pipeline. */
export const PIPELINE_STATEMENTS = ["model", "memory", "policy", "workers", "arrivals", "session"] as const;
/** Statements allowed at the top level of a file. */
export const TOP_STATEMENTS = ["import", "let", "model", "pipeline"] as const;

export const allTokens: TokenType[] = [
  WhiteSpace,
  Comment,
  Stray,
  Closer,
  Import,
  Let,
  Model,
  From,
  Pipeline,
  Memory,
  Policy,
  Workers,
  Arrivals,
  Session,
  True,
  False,
  Identifier,
  Quantity,
  StringLiteral,
  UnterminatedString,
  Semicolon,
  Comma,
  Colon,
  Equals,
  LBrace,
  RBrace,
  LBracket,
  RBracket,
  LAngle,
  RAngle,
];

export const memaLexer = new Lexer(allTokens, {
  // Every token sits on one line, so end positions are computed from the image (lang/parse.ts):
  // cheaper than having the lexer track them.
  positionTracking: "onlyStart",
  ensureOptimizations: true,
  errorMessageProvider: {
    buildUnexpectedCharactersMessage: (text, offset, length) =>
      `unexpected character${length > 1 ? "s" : ""} '${text.slice(offset, offset + length)}'`,
    buildUnableToPopLexerModeMessage: () => "internal lexer error",
  },
});
