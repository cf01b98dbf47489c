// The canonical layout of a .mema file, printed from the token stream so that every comment stays.
// One statement per line, two-space indentation per pipeline, `;` after every simple statement,
// `{ }` for pipelines, at most one blank line where the source had some. Idempotent.
import type { IToken } from "chevrotain";
import type { Diagnostic } from "./diagnostics.ts";
import { parse } from "./parse.ts";

export interface FormatResult {
  /** The formatted text; absent when the file has syntax errors (they are in `diagnostics`). */
  text?: string;
  diagnostics: Diagnostic[];
}

type Open = "block" | "record" | "list";
const INDENT = "  ";

export function format(source: string, file = "<input>"): FormatResult {
  const parsed = parse(source, file);
  if (parsed.diagnostics.length > 0 || !parsed.ast) return { diagnostics: parsed.diagnostics };
  const items = [...parsed.tokens, ...parsed.comments].sort((a, b) => a.startOffset - b.startOffset);
  const significant = parsed.tokens;
  const nextSignificant = new Map<IToken, IToken | undefined>();
  significant.forEach((t, i) => nextSignificant.set(t, significant[i + 1]));

  const out: string[] = [];
  let line = "";
  let lineDepth = 0;
  let depth = 0;
  const stack: Open[] = [];
  let pendingBreak = false;
  let statementOpen = false;
  let expectBlock = false;
  let afterOpen = false;
  let previous: IToken | undefined;
  let previousEmitted: IToken | undefined;

  const flush = () => {
    if (line !== "") out.push(INDENT.repeat(lineDepth) + line);
    line = "";
    pendingBreak = false;
  };
  /** Begins a new line for `item` at the current depth, keeping one blank line where there was one. */
  const beginLine = (item: IToken, allowBlank = true) => {
    flush();
    const gap = previous ? item.startLine! - (previous.endLine ?? previous.startLine!) : 0;
    if (allowBlank && gap >= 2 && !afterOpen && out.length > 0) out.push("");
    lineDepth = depth;
    afterOpen = false;
  };
  /** A continuation line of a statement broken by a comment. */
  const continueLine = () => {
    flush();
    lineDepth = depth + 1;
  };

  for (const item of items) {
    const type = item.tokenType.name;
    if (type === "Comment") {
      const comment = item.image.trimEnd();
      const trailing = previous !== undefined && item.startLine === (previous.endLine ?? previous.startLine) && line !== "";
      if (trailing) {
        line += `  ${comment}`;
        pendingBreak = true;
      } else if (statementOpen && line !== "" && !pendingBreak) {
        continueLine();
        line = comment;
        pendingBreak = true;
      } else {
        if (statementOpen) continueLine();
        else beginLine(item);
        line = comment;
        pendingBreak = true;
      }
      previous = item;
      continue;
    }

    if (type === "Semicolon") {
      if (statementOpen && stack[stack.length - 1] !== "record" && stack[stack.length - 1] !== "list") {
        line += ";";
        statementOpen = false;
        pendingBreak = true;
      }
      previous = item;
      continue;
    }

    const top = stack[stack.length - 1];
    if ((type === "RBrace" || type === "RAngle") && top === "block") {
      if (statementOpen) line += ";";
      statementOpen = false;
      stack.pop();
      depth -= 1;
      afterOpen = false;
      beginLine(item, false);
      line = "}";
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

    if (pendingBreak || line === "") {
      if (statementOpen) continueLine();
      else beginLine(item);
      previousEmitted = undefined;
    }

    const opensBlock = expectBlock && (type === "LBrace" || type === "LAngle");
    let text = item.image;
    if (type === "Quantity") text = text.replace(/\s+/g, "");
    if (opensBlock) text = "{";

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

    if (type === "Pipeline") expectBlock = true;
    if (opensBlock) {
      expectBlock = false;
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
  if (statementOpen) line += ";";
  flush();
  return { text: out.length > 0 ? out.join("\n") + "\n" : "", diagnostics: [] };
}
