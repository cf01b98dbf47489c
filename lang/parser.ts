// The .mema grammar as a chevrotain CST parser with error recovery; ONE instance, built at module load.
import type { CstNode, IParserErrorMessageProvider, IToken, TokenType } from "chevrotain";
import { CstParser, EOF } from "./chevrotain.ts";
import {
  allTokens,
  Arrivals,
  Closer,
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
  Stray,
  StringLiteral,
  True,
  UnterminatedString,
  Workers,
} from "./tokens.ts";

function describeToken(token: IToken | undefined): string {
  if (!token || token.tokenType === EOF) return "the end of the file";
  return `'${token.image}'`;
}

function labelOf(type: TokenType): string {
  if (type === EOF) return "the end of the file";
  return type.LABEL ?? type.name;
}

/** The message of a pipeline left open at the end of the file, before its closer is filled in. */
export const PIPELINE_NOT_CLOSED = "the pipeline is not closed before the end of the file";

const VALUE = "a value (number, size, duration, string, name, list or record)";

/** Messages for people: what was expected, in words, and what was found. */
const errorMessageProvider: IParserErrorMessageProvider = {
  buildMismatchTokenMessage({ expected, actual, ruleName }) {
    if (ruleName === "list" && expected === RBracket) return `expected ',' or ']' in the list but found ${describeToken(actual)}`;
    if (ruleName === "record" && expected === RBrace) return `expected ',' or '}' in the record but found ${describeToken(actual)}`;
    return `expected ${labelOf(expected)} but found ${describeToken(actual)}`;
  },
  buildNotAllInputParsedMessage({ firstRedundant }) {
    return `unexpected ${describeToken(firstRedundant)}`;
  },
  buildNoViableAltMessage({ expectedPathsPerAlt, actual, ruleName }) {
    if ((ruleName === "pipelineStatement" || ruleName === "block") && actual[0]?.tokenType === EOF)
      return PIPELINE_NOT_CLOSED; // lang/parse.ts names the closer that matches the opener
    if (ruleName === "expression" || ruleName === "settingStatement" || ruleName === "letStatement")
      return `expected ${VALUE} but found ${describeToken(actual[0])}`;
    const firsts = new Set<string>();
    for (const alt of expectedPathsPerAlt) for (const path of alt) if (path[0]) firsts.add(labelOf(path[0]));
    return `expected ${[...firsts].join(" or ")} but found ${describeToken(actual[0])}`;
  },
  buildEarlyExitMessage({ actual }) {
    return `expected ${VALUE} but found ${describeToken(actual[0])}`;
  },
};

type Alternatives = { ALT: () => unknown }[];

export class MemaParser extends CstParser {
  /**
   * Each OR's alternatives, built on first use and reused: creating them on every call costs
   * more than parsing (and tsx wraps every named arrow function in a helper call).
   */
  private readonly alternatives: (Alternatives | undefined)[] = [];

  constructor() {
    super(allTokens, { recoveryEnabled: true, maxLookahead: 3, errorMessageProvider, nodeLocationTracking: "onlyOffset" });
    this.performSelfAnalysis();
  }

  /**
   * Replaces chevrotain's own (same name, same work; chevrotain 11), whose nodes keep their children in
   * `Object.create(null)`: a dictionary-mode object in V8, slow to make and to read, one per rule call.
   * A plain object cuts a quarter of the parse time of a 1 MB file (bench/parse.ts). No rule or token
   * name is a property of Object.prototype, so `children[name]` means the same. The location is the
   * one chevrotain starts a node with when recovery is on ("onlyOffset"): filled in as tokens arrive.
   */
  cstInvocationStateUpdate(fullRuleName: string): void {
    const node: CstNode = { name: fullRuleName, children: {}, location: { startOffset: Number.NaN, endOffset: Number.NaN } };
    (this as unknown as { CST_STACK: CstNode[] }).CST_STACK.push(node);
  }

  /** Statements, with any token that cannot start one consumed (and reported) on its own. */
  document = this.RULE("document", () => {
    this.MANY(() => {
      this.OR(this.alternatives[0] ??= [
        { ALT: () => this.SUBRULE(this.statement) },
        { ALT: () => this.CONSUME(Stray) },
        { ALT: () => this.CONSUME(Closer) },
      ]);
    });
  });

  statement = this.RULE("statement", () => {
    this.OR(this.alternatives[1] ??= [
      { ALT: () => this.SUBRULE(this.importStatement) },
      { ALT: () => this.SUBRULE(this.letStatement) },
      { ALT: () => this.SUBRULE(this.modelStatement) },
      { ALT: () => this.SUBRULE(this.pipelineStatement) },
      { ALT: () => this.SUBRULE(this.settingStatement) },
      { ALT: () => this.SUBRULE(this.arrivalsStatement) },
      { ALT: () => this.SUBRULE(this.sessionStatement) },
      { ALT: () => this.SUBRULE(this.unknownStatement) },
    ]);
  });

  importStatement = this.RULE("importStatement", () => {
    this.CONSUME(Import);
    this.OR(this.alternatives[2] ??= [{ ALT: () => this.CONSUME(StringLiteral) }, { ALT: () => this.CONSUME(UnterminatedString) }]);
    this.OPTION(() => this.CONSUME(Semicolon));
  });

  letStatement = this.RULE("letStatement", () => {
    this.CONSUME(Let);
    this.CONSUME(Identifier);
    this.CONSUME(Equals);
    this.SUBRULE(this.expression);
    this.OPTION(() => this.CONSUME(Semicolon));
  });

  modelStatement = this.RULE("modelStatement", () => {
    this.CONSUME(Model);
    this.CONSUME(Identifier);
    this.OPTION(() => {
      this.CONSUME(From);
      this.SUBRULE(this.expression);
    });
    this.OPTION2(() => this.SUBRULE(this.record));
    this.OPTION3(() => this.CONSUME(Semicolon));
  });

  pipelineStatement = this.RULE("pipelineStatement", () => {
    this.CONSUME(Pipeline);
    this.OPTION(() => this.CONSUME(Identifier));
    this.OR(this.alternatives[3] ??= [{ ALT: () => this.CONSUME(LBrace) }, { ALT: () => this.CONSUME(LAngle) }]);
    this.MANY(() => {
      this.OR2(this.alternatives[4] ??= [{ ALT: () => this.SUBRULE(this.statement) }, { ALT: () => this.CONSUME(Stray) }]);
    });
    this.OR3(this.alternatives[5] ??= [{ ALT: () => this.CONSUME(RBrace) }, { ALT: () => this.CONSUME(RAngle) }]);
  });

  settingStatement = this.RULE("settingStatement", () => {
    this.OR(this.alternatives[6] ??= [
      { ALT: () => this.CONSUME(Memory) },
      { ALT: () => this.CONSUME(Policy) },
      { ALT: () => this.CONSUME(Workers) },
    ]);
    this.SUBRULE(this.expression);
    this.OPTION(() => this.CONSUME(Semicolon));
  });

  arrivalsStatement = this.RULE("arrivalsStatement", () => {
    this.CONSUME(Arrivals);
    this.MANY(() => this.SUBRULE(this.expression));
    this.OPTION(() => this.CONSUME(Semicolon));
  });

  sessionStatement = this.RULE("sessionStatement", () => {
    this.CONSUME(Session);
    this.SUBRULE(this.expression);
    this.OPTION(() => this.CONSUME(Semicolon));
  });

  /** A misspelt keyword: its words, and a block if one follows (so `pipline x { ... }` stays one statement). */
  unknownStatement = this.RULE("unknownStatement", () => {
    this.CONSUME(Identifier);
    this.MANY(() => this.SUBRULE(this.argument));
    this.OPTION(() => this.SUBRULE(this.block));
    this.OPTION2(() => this.CONSUME(Semicolon));
  });

  argument = this.RULE("argument", () => {
    this.OR(this.alternatives[7] ??= [
      { ALT: () => this.CONSUME(Quantity) },
      { ALT: () => this.CONSUME(StringLiteral) },
      { ALT: () => this.CONSUME(UnterminatedString) },
      { ALT: () => this.CONSUME(Identifier) },
      { ALT: () => this.CONSUME(True) },
      { ALT: () => this.CONSUME(False) },
      { ALT: () => this.SUBRULE(this.list) },
    ]);
  });

  block = this.RULE("block", () => {
    this.OR(this.alternatives[8] ??= [{ ALT: () => this.CONSUME(LBrace) }, { ALT: () => this.CONSUME(LAngle) }]);
    this.MANY(() => {
      this.OR2(this.alternatives[9] ??= [{ ALT: () => this.SUBRULE(this.statement) }, { ALT: () => this.CONSUME(Stray) }]);
    });
    this.OR3(this.alternatives[10] ??= [{ ALT: () => this.CONSUME(RBrace) }, { ALT: () => this.CONSUME(RAngle) }]);
  });

  expression = this.RULE("expression", () => {
    this.OR(this.alternatives[11] ??= [
      { ALT: () => this.CONSUME(Quantity) },
      { ALT: () => this.CONSUME(StringLiteral) },
      { ALT: () => this.CONSUME(UnterminatedString) },
      { ALT: () => this.CONSUME(Identifier) },
      { ALT: () => this.CONSUME(True) },
      { ALT: () => this.CONSUME(False) },
      { ALT: () => this.SUBRULE(this.list) },
      { ALT: () => this.SUBRULE(this.record) },
    ]);
  });

  list = this.RULE("list", () => {
    this.CONSUME(LBracket);
    this.OPTION(() => {
      this.SUBRULE(this.expression);
      this.MANY(() => {
        this.CONSUME(Comma);
        this.SUBRULE2(this.expression);
      });
      this.OPTION2(() => this.CONSUME2(Comma));
    });
    this.CONSUME(RBracket);
  });

  record = this.RULE("record", () => {
    this.CONSUME(LBrace);
    this.OPTION(() => {
      this.SUBRULE(this.field);
      this.MANY(() => {
        this.CONSUME(Comma);
        this.SUBRULE2(this.field);
      });
      this.OPTION2(() => this.CONSUME2(Comma));
    });
    this.CONSUME(RBrace);
  });

  field = this.RULE("field", () => {
    this.OR(this.alternatives[12] ??= [{ ALT: () => this.CONSUME(Identifier) }, { ALT: () => this.CONSUME(StringLiteral) }]);
    this.CONSUME(Colon);
    this.SUBRULE(this.expression);
  });
}

/** The one parser: chevrotain's self-analysis is costly, so it runs once per process. */
export const memaParser = new MemaParser();
