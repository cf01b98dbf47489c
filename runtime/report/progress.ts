// A one-line progress bar for real runs on a terminal: steps done of total, networks finished, elapsed.
// Silent when the stream is not a TTY or with --quiet. No runtime APIs: the stream and the clock are passed in.
import { formatMs } from "./quantity.ts";

/** Where the bar is drawn: process.stderr fits (Node, Bun and Deno's node compatibility). */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressOptions {
  /** Steps the run will execute. */
  total: number;
  /** Network instances the run will finish; shown when given. */
  networks?: number;
  stream: ProgressStream;
  /** Whether the stream is a terminal; default `stream.isTTY`. */
  isTTY?: boolean;
  quiet?: boolean;
  /** Clock in ms; default `performance.now`. */
  now?: () => number;
  /** Fewest ms between two redraws caused by progress; default 80. */
  redrawMs?: number;
  /** Redraw this often even without progress so elapsed time moves (0 = never); default 250. */
  tickMs?: number;
}

export interface Progress {
  /** False when nothing will ever be drawn (not a TTY, or quiet). */
  readonly enabled: boolean;
  /** `count` more steps are done. */
  step(count?: number): void;
  /** `count` more network instances have finished. */
  networkDone(count?: number): void;
  /**
   * Sets absolute counts (and totals, if they changed): the shape of the executor's `onProgress`, so
   * `onProgress: (p) => bar.update(p)` wires it.
   */
  update(state: ProgressUpdate): void;
  /** Draws the final state and ends the line; further calls do nothing. */
  finish(): void;
}

export interface ProgressUpdate {
  stepsDone: number;
  networksDone?: number;
  stepsTotal?: number;
  networksTotal?: number;
}

export interface ProgressState {
  stepsDone: number;
  total: number;
  networksDone: number;
  networks?: number;
  elapsedMs: number;
}

/** The bar's text for a terminal `columns` wide: `[#####.....]  412/915 steps  45% · 6/15 networks · 3.20 s`. */
export function progressLine(state: ProgressState, columns = 80): string {
  const total = Math.max(0, state.total);
  const done = Math.min(Math.max(0, state.stepsDone), total);
  const share = total > 0 ? done / total : 1;
  const parts = [`${String(done).padStart(String(total).length)}/${total} steps`, `${String(Math.floor(share * 100)).padStart(3)}%`];
  if (state.networks !== undefined) parts.push(`${state.networksDone}/${state.networks} networks`);
  parts.push(formatMs(state.elapsedMs));
  const info = parts.join(" · ");
  // The bar takes what the text leaves, between 10 and 40 cells; one column stays free (no wrap).
  const barCells = Math.max(10, Math.min(40, columns - info.length - 4));
  const filled = Math.floor(share * barCells);
  return `[${"#".repeat(filled)}${".".repeat(barCells - filled)}] ${info}`;
}

/** A progress bar that draws on `stream` when it is a TTY and not quiet, and does nothing otherwise. */
export function createProgress(options: ProgressOptions): Progress {
  const enabled = !options.quiet && (options.isTTY ?? options.stream.isTTY === true);
  if (!enabled) return { enabled: false, step() {}, networkDone() {}, update() {}, finish() {} };
  const now = options.now ?? (() => performance.now());
  const redrawMs = options.redrawMs ?? 80;
  const startedMs = now();
  let stepsDone = 0;
  let networksDone = 0;
  let total = options.total;
  let networks = options.networks;
  let lastDrawMs = -Infinity;
  let finished = false;
  const draw = () => {
    lastDrawMs = now();
    const line = progressLine(
      { stepsDone, total, networksDone, networks, elapsedMs: lastDrawMs - startedMs },
      options.stream.columns ?? 80,
    );
    // Carriage return, the line, then erase whatever a longer previous line left.
    options.stream.write(`\r${line}\x1b[K`);
  };
  const maybeDraw = () => {
    if (now() - lastDrawMs >= redrawMs || stepsDone >= total) draw();
  };
  const tickMs = options.tickMs ?? 250;
  const timer = tickMs > 0 ? setInterval(() => draw(), tickMs) : undefined;
  // The bar must never keep a finished process alive: Node and Bun timers have unref, Deno has unrefTimer.
  if (timer !== undefined) {
    (timer as { unref?: () => void }).unref?.();
    const deno = (globalThis as { Deno?: { unrefTimer?: (id: number) => void } }).Deno;
    if (typeof timer === "number") deno?.unrefTimer?.(timer);
  }
  draw();
  return {
    enabled: true,
    step(count = 1) {
      if (finished) return;
      stepsDone += count;
      maybeDraw();
    },
    networkDone(count = 1) {
      if (finished) return;
      networksDone += count;
      maybeDraw();
    },
    update(state) {
      if (finished) return;
      stepsDone = state.stepsDone;
      if (state.networksDone !== undefined) networksDone = state.networksDone;
      if (state.stepsTotal !== undefined) total = state.stepsTotal;
      if (state.networksTotal !== undefined) networks = state.networksTotal;
      maybeDraw();
    },
    finish() {
      if (finished) return;
      if (timer !== undefined) clearInterval(timer);
      draw();
      options.stream.write("\n");
      finished = true;
    },
  };
}
