// Diagnostics: a stable code, a 1-based position and a message, and their rendering with a caret line.

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
}

/** `file:line:col: error[CODE]: message`, then the source line and a caret line when `text` is known. */
export function renderDiagnostic(d: Diagnostic, text?: string): string {
  const head = `${d.file}:${d.line}:${d.column}: ${d.severity}[${d.code}]: ${d.message}`;
  if (text === undefined) return head;
  const lines = text.split(/\r\n|\r|\n/);
  const source = lines[d.line - 1];
  if (source === undefined) return head;
  const number = String(d.line);
  const gutter = " ".repeat(number.length);
  // Keep tabs in the indentation so the carets line up under the text as the terminal shows it.
  const indent = source.slice(0, d.column - 1).replace(/[^\t]/g, " ");
  const available = Math.max(1, source.length - (d.column - 1));
  const carets = "^".repeat(Math.max(1, Math.min(d.length, available)));
  return `${head}\n  ${number} | ${source}\n  ${gutter} | ${indent}${carets}`;
}

/** Renders many diagnostics; `textOf(file)` gives each file's text. */
export function renderDiagnostics(list: Diagnostic[], textOf: (file: string) => string | undefined): string {
  return list.map((d) => renderDiagnostic(d, textOf(d.file)) + "\n").join("");
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
