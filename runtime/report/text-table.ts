// Plain-text tables for the terminal: columns padded to their widest cell, numbers right-aligned.

export interface TextColumn {
  header: string;
  align?: "left" | "right";
}

/** A row of cells, or a separator line drawn across the whole table. */
export type TextRow = string[] | "separator";

/** A label over `span` consecutive columns (a header line above the column headers). */
export interface TextColumnGroup {
  label: string;
  span: number;
}

/** Renders the table with two spaces between columns; lines carry no trailing spaces. */
export function renderTextTable(
  columns: TextColumn[],
  rows: TextRow[],
  indent = "",
  groups: TextColumnGroup[] = [],
): string {
  const widths = columns.map((c) => c.header.length);
  for (const row of rows) {
    if (row === "separator") continue;
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  const line = (cells: string[]): string =>
    indent +
    cells
      .map((cell, i) => {
        const width = widths[i] ?? 0;
        return columns[i]?.align === "right" ? cell.padStart(width) : cell.padEnd(width);
      })
      .join("  ")
      .trimEnd();
  // A group label wider than its columns widens the group's last column.
  let first = 0;
  for (const group of groups) {
    const last = first + group.span - 1;
    const span = widths.slice(first, last + 1).reduce((sum, w) => sum + w, 0) + 2 * (group.span - 1);
    if (group.label.length > span) widths[last] = (widths[last] ?? 0) + group.label.length - span;
    first = last + 1;
  }
  const total = widths.reduce((sum, w) => sum + w, 0) + 2 * Math.max(0, widths.length - 1);
  const out: string[] = [];
  if (groups.length > 0) {
    const cells: string[] = [];
    let at = 0;
    for (const group of groups) {
      const span = widths.slice(at, at + group.span).reduce((sum, w) => sum + w, 0) + 2 * (group.span - 1);
      cells.push(group.label.padEnd(span));
      at += group.span;
    }
    out.push((indent + cells.join("  ")).trimEnd());
  }
  out.push(line(columns.map((c) => c.header)), indent + "-".repeat(total));
  for (const row of rows) out.push(row === "separator" ? indent + "-".repeat(total) : line(row));
  return out.join("\n");
}
