// Diagnostics: a stable code, a 1-based position and a message, and their rendering with a caret line.

import { EXCERPT_COLUMNS, MAX_SHOWN_DIAGNOSTICS, MESSAGE_CHARS } from "./limits.ts";

export type Severity = "error" | "warning";

export interface Diagnostic {
  /** Stable across releases: tests and users match on it (E_SYNTAX, E_UNIT, ...). */
  code: string;
  severity: Severity;
  message: string;
  /** The file as shown to the user (as given on the command line, or relative to the cwd). */
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based, in UTF-16 units. */
  column: number;
  /** How many characters the caret line underlines (at least 1). */
  length: number;
  /** Related places, shown after the diagnostic (where a let's value was written, ...). */
  notes?: DiagnosticNote[];
}

/** A place related to a diagnostic: where a let's value was written, say. */
export interface DiagnosticNote {
  message: string;
  file: string;
  line: number;
  column: number;
  length: number;
}

/**
 * Characters shown escaped: C0 and C1 controls (ESC would let a file drive the terminal), DEL, bidirectional
 * overrides, line and paragraph separators, and the byte order mark. A tab stays (carets are aligned with tabs).
 */
const UNSAFE = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

/** `text` with every unsafe character as a visible escape (`\x1b`, `\u{202e}`). */
export function escapeForTerminal(text: string): string {
  return text.replace(UNSAFE, (c) => {
    const code = c.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u{${code.toString(16)}}`;
  });
}

/** A message as shown: escaped, and cut when it would flood the terminal (a huge quoted name). */
function shownMessage(message: string): string {
  const cut = message.length > MESSAGE_CHARS ? `${message.slice(0, MESSAGE_CHARS)}… (${message.length - MESSAGE_CHARS} more characters)` : message;
  return escapeForTerminal(cut);
}

/** The source line and caret line of an excerpt: escaped, and cut to a window around the caret when long. */
function excerpt(source: string, column: number, length: number): { line: string; carets: string } {
  const start = Math.min(Math.max(0, column - 1), source.length);
  const marked = Math.max(1, Math.min(length, source.length - start));
  // Every character shows as at least one column: raw slices of 4x the window cover it on either side.
  const reach = 4 * EXCERPT_COLUMNS;
  let before = escapeForTerminal(source.slice(Math.max(0, start - reach), start));
  let under = escapeForTerminal(source.slice(start, start + Math.min(marked, reach)));
  let after = escapeForTerminal(source.slice(start + marked, start + marked + reach));
  let cutLeft = start > reach;
  let cutRight = start + marked + reach < source.length;
  const width = (s: string) => s.replace(/[\ud800-\udbff][\udc00-\udfff]/g, " ").length;
  if (cutLeft || cutRight || width(before) + width(under) + width(after) > EXCERPT_COLUMNS) {
    const keepBefore = Math.floor(EXCERPT_COLUMNS / 3);
    const underMax = Math.floor(EXCERPT_COLUMNS / 2);
    if (width(before) > keepBefore) {
      before = Array.from(before).slice(-keepBefore).join("");
      cutLeft = true;
    }
    if (width(under) > underMax) {
      const chars = Array.from(under);
      under = chars.slice(0, underMax).join("");
      after = "";
      cutRight = true;
    }
    const room = Math.max(0, EXCERPT_COLUMNS - width(before) - width(under));
    if (width(after) > room) {
      after = Array.from(after).slice(0, room).join("");
      cutRight = true;
    }
  }
  const left = cutLeft ? "…" : "";
  // Keep tabs in the indentation so the carets line up under the text as the terminal shows it.
  const indent = (left + before).replace(/[\ud800-\udbff][\udc00-\udfff]/g, " ").replace(/[^\t]/g, " ");
  return { line: `${left}${before}${under}${after}${cutRight ? "…" : ""}`, carets: indent + "^".repeat(Math.max(1, width(under))) };
}

/** `file:line:col: error[CODE]: message`, then the source line and a caret line when `text` is known. */
export function renderDiagnostic(d: Diagnostic, text?: string): string {
  return renderWithLines(d, text === undefined ? undefined : splitLines(text));
}

function splitLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}

function renderWithLines(d: Diagnostic | DiagnosticNote, lines: string[] | undefined): string {
  const kind = "code" in d ? `${d.severity}[${d.code}]` : "note";
  let out = `${escapeForTerminal(d.file)}:${d.line}:${d.column}: ${kind}: ${shownMessage(d.message)}`;
  const source = lines?.[d.line - 1];
  if (source !== undefined) {
    const number = String(d.line);
    const gutter = " ".repeat(number.length);
    const { line, carets } = excerpt(source, d.column, d.length);
    out += `\n  ${number} | ${line}\n  ${gutter} | ${carets}`;
  }
  return out;
}

/**
 * Renders diagnostics (with their notes) for a terminal: at most `limit` per file, then a count of the rest;
 * `textOf(file)` gives each file's text, which is split into lines once per file.
 */
export function renderDiagnostics(list: Diagnostic[], textOf: (file: string) => string | undefined, limit = MAX_SHOWN_DIAGNOSTICS): string {
  const linesOf = new Map<string, string[] | undefined>();
  const lines = (file: string) => {
    if (!linesOf.has(file)) {
      const text = textOf(file);
      linesOf.set(file, text === undefined ? undefined : splitLines(text));
    }
    return linesOf.get(file);
  };
  const perFile = new Map<string, number>();
  let out = "";
  for (const d of list) {
    const n = (perFile.get(d.file) ?? 0) + 1;
    perFile.set(d.file, n);
    if (n > limit) continue;
    out += renderWithLines(d, lines(d.file)) + "\n";
    for (const note of d.notes ?? []) out += renderWithLines(note, lines(note.file)) + "\n";
  }
  for (const [file, n] of perFile) if (n > limit) out += `${escapeForTerminal(file)}: ${n - limit} more errors not shown\n`;
  return out;
}

/** Sorts by file order of first appearance, then position, and drops exact repeats. */
export function tidyDiagnostics(list: Diagnostic[]): Diagnostic[] {
  const fileOrder = new Map<string, number>();
  for (const d of list) if (!fileOrder.has(d.file)) fileOrder.set(d.file, fileOrder.size);
  const seen = new Set<string>();
  return list
    .filter((d) => {
      const key = `${d.file}:${d.line}:${d.column}:${d.code}:${d.message}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .sort((a, b) => fileOrder.get(a.file)! - fileOrder.get(b.file)! || a.line - b.line || a.column - b.column);
}
