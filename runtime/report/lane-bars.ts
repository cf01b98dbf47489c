// Which bars a timeline lane draws: one per step when steps are wide enough to see, and steps narrower than
// a couple of pixels merged with their neighbours into one bar that says what it holds (never dropped, so a
// busy lane never looks idle, and a merged bar of several networks is drawn as such, not as one of them).
import type { StepKind, StepRecord } from "./types.ts";

export interface LaneBar {
  startMs: number;
  endMs: number;
  /** The steps the bar stands for, in lane order. */
  steps: StepRecord[];
  /** Distinct network names among them, in order of appearance. */
  networks: string[];
  /** Distinct kinds among them. */
  kinds: StepKind[];
}

/**
 * Bars for the steps of one lane (free steps excluded by the caller). Neighbours closer than half a pixel
 * merge when one of them is narrower than `minWidthPx`, and (for different networks or kinds) only when
 * both are: wide steps always keep their own bar.
 */
export function laneBars(steps: readonly StepRecord[], pxPerMs: number, minWidthPx = 2): LaneBar[] {
  const sorted = [...steps].sort((a, b) => a.startMs - b.startMs || a.endMs - b.endMs);
  const bars: LaneBar[] = [];
  let current: LaneBar | undefined;
  const widthPx = (startMs: number, endMs: number) => (endMs - startMs) * pxPerMs;
  for (const step of sorted) {
    if (current) {
      const gapPx = (step.startMs - current.endMs) * pxPerMs;
      const barNarrow = widthPx(current.startMs, current.endMs) < minWidthPx;
      const stepNarrow = widthPx(step.startMs, step.endMs) < minWidthPx;
      const sameClass =
        current.networks.length === 1 &&
        current.kinds.length === 1 &&
        current.networks[0] === step.network &&
        current.kinds[0] === step.kind;
      if (gapPx < 0.5 && ((sameClass && (barNarrow || stepNarrow)) || (barNarrow && stepNarrow))) {
        current.steps.push(step);
        current.endMs = Math.max(current.endMs, step.endMs);
        if (!current.networks.includes(step.network)) current.networks.push(step.network);
        if (!current.kinds.includes(step.kind)) current.kinds.push(step.kind);
        continue;
      }
      bars.push(current);
    }
    current = { startMs: step.startMs, endMs: step.endMs, steps: [step], networks: [step.network], kinds: [step.kind] };
  }
  if (current) bars.push(current);
  return bars;
}
