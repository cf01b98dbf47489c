// The canonical layout of a .mema file, printed from the token stream so that every comment stays.
// One statement per line, two-space indentation per pipeline, `;` after every simple statement,
// `< >` for pipeline blocks (`{ }` is read too), at most one blank line where the source had some. Idempotent.
import type { IToken } from "chevrotain";
import type { Diagnostic } from "./diagnostics.ts";
import { parse } from "./parse.ts";
import { DURATION_UNITS, SIZE_UNITS } from "./tokens.ts";

export interface FormatResult {
  /** The formatted text; absent when the file has syntax errors (they are in `diagnostics`). */
  text?: string;
  diagnostics: Diagnostic[];
}

type Open = "block" | "record" | "list";
const UNIT_WORDS = new Set<string>([...SIZE_UNITS, ...DURATION_UNITS]);
const INDENT = "  ";

export function format(source: string, file = "<input>"): FormatResult {
  const parsed = parse(source, file);
  if (parsed.diagnostics.length > 0 || !parsed.ast) return { diagnostics: parsed.diagnostics };
  const items = [...parsed.tokens, ...parsed.comments].sort((a, b) => a.startOffset - b.startOffset);
  const significant = parsed.tokens;
  const nextSignificant = new Map<IToken, IToken | undefined>();
  significant.forEach((t, i) => nextSignificant.set(t, significant[i + 1]));

  /** Printed lines; null is a blank line. Code and comment stay apart until the end. */
  const out: ({ depth: number; code: string; comment: string } | null)[] = [];
  let line = "";
  let lineDepth = 0;
  let depth = 0;
  const stack: Open[] = [];
  let pendingBreak = false;
  let statementOpen = false;
  let afterOpen = false;
  let previous: IToken | undefined;
  let previousEmitted: IToken | undefined;

  /** A trailing comment is kept apart from the code, so a ';' added later goes before it. */
  let lineComment = "";
  const flush = () => {
    if (line !== "" || lineComment !== "") out.push({ depth: lineDepth, code: line, comment: lineComment });
    line = "";
    lineComment = "";
    pendingBreak = false;
  };
  /** Begins a new line for `item` at the current depth, keeping one blank line where there was one. */
  const beginLine = (item: IToken, allowBlank = true) => {
    flush();
    const gap = previous ? item.startLine! - (previous.endLine ?? previous.startLine!) : 0;
    if (allowBlank && gap >= 2 && !afterOpen && out.length > 0) out.push(null);
    lineDepth = depth;
    afterOpen = false;
  };
  /** A continuation line of a statement broken by a comment. */
  const continueLine = () => {
    flush();
    lineDepth = depth + 1;
  };

  /** Ends the open statement with ';' on its last line of code (comments may follow it). */
  const endStatement = () => {
    if (line !== "") line += ";";
    else {
      const last = [...out].reverse().find((l) => l !== null && l.code !== "");
      if (last) last.code += ";";
    }
    statementOpen = false;
  };

  /** The next significant token after each comment: a comment right before a ';' ends no statement. */
  const nextAfter = new Map<IToken, IToken | undefined>();
  let upcoming: IToken | undefined;
  for (let i = items.length - 1; i >= 0; i--) {
    const item = items[i]!;
    if (item.tokenType.name === "Comment") nextAfter.set(item, upcoming);
    else upcoming = item;
  }
  const closes = (t: IToken | undefined) =>
    t === undefined || t.tokenType.name === "Semicolon" || ((t.tokenType.name === "RBrace" || t.tokenType.name === "RAngle") && stack[stack.length - 1] === "block");

  for (const item of items) {
    const type = item.tokenType.name;
    if (type === "Comment") {
      const comment = item.image.trimEnd();
      const trailing = previous !== undefined && item.startLine === (previous.endLine ?? previous.startLine) && line !== "" && lineComment === "";
      if (trailing) {
        lineComment = comment;
        pendingBreak = true;
      } else {
        if (statementOpen && !closes(nextAfter.get(item))) continueLine();
        else beginLine(item);
        lineComment = comment;
        pendingBreak = true;
      }
      previous = item;
      continue;
    }

    if (type === "Semicolon") {
      if (statementOpen && stack[stack.length - 1] !== "record" && stack[stack.length - 1] !== "list") {
        endStatement();
        pendingBreak = true;
      }
      previous = item;
      continue;
    }

    const top = stack[stack.length - 1];
    if ((type === "RBrace" || type === "RAngle") && top === "block") {
      if (statementOpen) endStatement();
      stack.pop();
      depth -= 1;
      afterOpen = false;
      beginLine(item, false);
      line = ">";
      pendingBreak = true;
      previous = item;
      previousEmitted = item;
      continue;
    }

    if (type === "Comma") {
      const next = nextSignificant.get(item);
      if (next && (next.tokenType.name === "RBracket" || next.tokenType.name === "RBrace")) {
        previous = item;
        continue; // no trailing commas in the canonical form
      }
    }

    // `5` then `MB` on the next line are two words; on one line they would read as the size 5MB.
    const wouldGlue =
      previousEmitted?.tokenType.name === "Quantity" && /^[-.\d]/.test(previousEmitted.image) && /^\S*\d\.?$/.test(previousEmitted.image) &&
      type === "Identifier" && UNIT_WORDS.has(item.image);
    if (wouldGlue && !pendingBreak) continueLine();
    if (pendingBreak || line === "") {
      if (statementOpen) continueLine();
      else beginLine(item);
      previousEmitted = undefined;
    }

    const opensBlock = parsed.blockOpeners.has(item);
    let text = item.image;
    if (type === "Quantity") text = text.replace(/\s+/g, "");
    if (opensBlock) text = "<";

    const prevType = previousEmitted?.tokenType.name;
    const noSpace =
      line === "" ||
      previousEmitted === undefined ||
      type === "Comma" ||
      type === "Colon" ||
      type === "RBracket" ||
      prevType === "LBracket";
    const emptyRecord = type === "RBrace" && prevType === "LBrace";
    line += noSpace || emptyRecord ? text : ` ${text}`;
    previousEmitted = item;
    previous = item;

    if (opensBlock) {
      stack.push("block");
      depth += 1;
      pendingBreak = true;
      afterOpen = true;
      statementOpen = false;
      continue;
    }
    if (type === "LBrace") stack.push("record");
    else if (type === "LBracket") stack.push("list");
    else if (type === "RBrace" || type === "RBracket") stack.pop();
    statementOpen = true;
  }
  if (statementOpen) endStatement();
  flush();
  const text = out
    .map((l) => (l === null ? "" : INDENT.repeat(l.depth) + (l.code === "" ? l.comment : l.comment === "" ? l.code : `${l.code}  ${l.comment}`)))
    .join("\n");
  return { text: out.length > 0 ? text + "\n" : "", diagnostics: [] };
}
