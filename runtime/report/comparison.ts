// The sweep table, one per pipeline: rows policies, columns the swept budgets (and worker counts).
// Per cell: the makespan, its ratio to the best of that column, and the peak accounted memory.
import { formatBudget, formatBytes, formatMs, timeUnitFor } from "./quantity.ts";
import { renderTextTable, type TextColumn, type TextColumnGroup, type TextRow } from "./text-table.ts";
import type { RunReport } from "./types.ts";

/** A sweep point that did not run: its policy can never fit the budget (the cell says so, a note says why). */
export interface Refusal {
  pipeline: string;
  policy: string;
  budgetBytes: number | null;
  workers: number;
  reason: string;
}

export interface ComparisonOptions {
  /** Sweep points refused before running. */
  refused?: readonly Refusal[];
  /** Add the mean response time to every cell. */
  withResponse?: boolean;
  /** Wrap: budgets that do not fit this many characters go to further tables under the first (a terminal's width). */
  maxWidth?: number;
}

interface Column {
  budgetBytes: number | null;
  workers: number;
}

/** Renders one comparison table per pipeline, in the order the pipelines first appear. */
export function renderComparison(reports: readonly RunReport[], options: ComparisonOptions = {}): string {
  if (reports.length === 0) return "no runs to compare\n";
  const byPipeline = new Map<string, RunReport[]>();
  for (const r of reports) {
    const list = byPipeline.get(r.pipeline);
    if (list) list.push(r);
    else byPipeline.set(r.pipeline, [r]);
  }
  return (
    [...byPipeline]
      .map(([pipeline, runs]) => renderPipeline(pipeline, runs, (options.refused ?? []).filter((x) => x.pipeline === pipeline), options))
      .join("\n\n") + "\n"
  );
}

function renderPipeline(pipeline: string, runs: RunReport[], refused: readonly Refusal[], options: ComparisonOptions): string {
  // The baseline (the plain onnxruntime loop, real runs' --baseline) has no budget: rather than a column of
  // its own, it stands in every column, next to the scheduled runs it is the yardstick for.
  const isBaseline = (r: RunReport) => r.policy === "baseline" && r.memoryBudgetBytes === null;
  const scheduled = runs.filter((r) => !isBaseline(r));
  const columns = sweptColumns(scheduled.length > 0 ? scheduled : runs, refused);
  const workersSwept = new Set(columns.map((c) => c.workers)).size > 1;
  const rowKey = rowNamer(runs);
  const rowNames: string[] = [];
  const cells = new Map<string, RunReport>();
  for (const r of runs) {
    const row = rowKey(r);
    if (!rowNames.includes(row)) rowNames.push(row);
    // A baseline runs on one thread whatever the workers of the runs it is compared with: every column.
    const targets = isBaseline(r) && scheduled.length > 0 ? columns : [{ budgetBytes: r.memoryBudgetBytes, workers: r.workers }];
    for (const c of targets) {
      const key = `${row}\u0000${columnKeyOf(c)}`;
      // Two runs for the same cell (same policy, budget, workers, seed): the first one stands.
      if (!cells.has(key)) cells.set(key, r);
    }
  }
  const refusedCells = new Set<string>();
  for (const x of refused) {
    if (!rowNames.includes(x.policy)) rowNames.push(x.policy);
    refusedCells.add(`${x.policy}\u0000${columnKeyOf({ budgetBytes: x.budgetBytes, workers: x.workers })}`);
  }
  const unit = timeUnitFor(Math.max(...runs.map((r) => r.makespanMs)));
  const best = columns.map((c) => {
    const inColumn = rowNames.map((row) => cells.get(`${row}\u0000${columnKeyOf(c)}`)).filter((r) => r !== undefined);
    return Math.min(...inColumn.map((r) => r.makespanMs));
  });

  const perCell = options.withResponse ? 4 : 3;
  const table = (shown: Column[]): string => {
    const header: TextColumn[] = [{ header: "policy" }];
    const groups: TextColumnGroup[] = [{ label: "", span: 1 }];
    for (const c of shown) {
      const label = `budget ${formatBudget(c.budgetBytes)}${workersSwept ? `, ${c.workers} worker${c.workers === 1 ? "" : "s"}` : ""}`;
      groups.push({ label, span: perCell });
      header.push(
        { header: `makespan (${unit.name})`, align: "right" },
        { header: "vs best", align: "right" },
        { header: "peak", align: "right" },
      );
      if (options.withResponse) header.push({ header: `mean resp (${unit.name})`, align: "right" });
    }
    const rows: TextRow[] = rowNames.map((row) => {
      const cellsOfRow = [row];
      for (const c of shown) {
        const r = cells.get(`${row}\u0000${columnKeyOf(c)}`);
        if (!r) {
          cellsOfRow.push(refusedCells.has(`${row}\u0000${columnKeyOf(c)}`) ? "refused" : "—", "", "");
          if (options.withResponse) cellsOfRow.push("");
          continue;
        }
        const b = best[columns.indexOf(c)] ?? r.makespanMs;
        const ratio = b > 0 ? `x${(r.makespanMs / b).toFixed(2)}` : "—";
        cellsOfRow.push(unit.format(r.makespanMs), r.makespanMs === b ? `${ratio} *` : `${ratio}  `, formatBytes(r.peakAccountedBytes));
        if (options.withResponse) cellsOfRow.push(unit.format(r.meanResponseMs));
      }
      return cellsOfRow;
    });
    return renderTextTable(header, rows, "  ", groups);
  };
  const tables = wrapped(columns, table, options.maxWidth);
  const baselineNote = runs.some(isBaseline) && scheduled.length > 0 ? "\n  baseline: a plain onnxruntime-node loop (whole-model sessions, no scheduler, no budget), in every column: naive from the model file, careful from external-data files, resident keeping every session" : "";
  const source = runs.every((r) => r.simulated) ? "simulated" : runs.every((r) => !r.simulated) ? "real runs" : "simulated and real runs";
  const fastest = runs.reduce((a, b) => (b.makespanMs < a.makespanMs ? b : a));
  const refusedNotes = refused.map((x) => `\n  refused: ${x.policy} at ${formatBudget(x.budgetBytes)}: ${x.reason}`).join("");
  return [
    `${pipeline}: ${runs.length} run${runs.length === 1 ? "" : "s"} (${source}); * = lowest makespan in its column`,
    tables.join("\n\n"),
    `  fastest overall: ${rowKey(fastest)}${isBaseline(fastest) ? "" : ` at budget ${formatBudget(fastest.memoryBudgetBytes)}`}, ${formatMs(fastest.makespanMs)}${baselineNote}${refusedNotes}`,
  ].join("\n");
}

/** The fewest tables, each with consecutive columns, whose lines fit `maxWidth` (one column per table at worst). */
function wrapped(columns: Column[], table: (shown: Column[]) => string, maxWidth: number | undefined): string[] {
  const width = (text: string) => Math.max(...text.split("\n").map((line) => line.length));
  for (let perTable = columns.length; perTable > 1; perTable--) {
    const tables: string[] = [];
    for (let i = 0; i < columns.length; i += perTable) tables.push(table(columns.slice(i, i + perTable)));
    if (maxWidth === undefined || tables.every((t) => width(t) <= maxWidth)) return tables;
  }
  return columns.map((c) => table([c]));
}

function columnKeyOf(c: Column): string {
  return `${c.budgetBytes ?? "none"}/${c.workers}`;
}

function columnKey(r: RunReport): string {
  return columnKeyOf({ budgetBytes: r.memoryBudgetBytes, workers: r.workers });
}

/** Budgets ascending (no budget last), then workers ascending. */
function sweptColumns(runs: RunReport[], refused: readonly Refusal[] = []): Column[] {
  const seen = new Map<string, Column>();
  for (const r of runs) seen.set(columnKey(r), { budgetBytes: r.memoryBudgetBytes, workers: r.workers });
  for (const x of refused) {
    const c = { budgetBytes: x.budgetBytes, workers: x.workers };
    seen.set(columnKeyOf(c), c);
  }
  return [...seen.values()].sort(
    (a, b) => (a.budgetBytes ?? Infinity) - (b.budgetBytes ?? Infinity) || a.workers - b.workers,
  );
}

/** Rows are policies; the seed, or simulated/real, is added only when it differs between runs. */
function rowNamer(runs: RunReport[]): (r: RunReport) => string {
  const seedsVary = new Set(runs.map((r) => r.seed)).size > 1;
  const sourcesVary = new Set(runs.map((r) => r.simulated)).size > 1;
  const admissionsVary = new Set(runs.map((r) => r.admission ?? "ledger")).size > 1;
  return (r) =>
    r.policy +
    (r.baseline ? ` ${r.baseline}` : "") +
    (admissionsVary && r.admission === "edgecaffe" ? " (EdgeCaffe admission)" : "") +
    (seedsVary ? ` seed ${r.seed}` : "") +
    (sourcesVary ? (r.simulated ? " (simulated)" : " (real)") : "");
}
