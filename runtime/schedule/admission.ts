// Memory admission on the per-layer ledger: a step starts only if its bytes fit under the budget AND the
// run stays deadlock-free (a banker's check over the started units, in the order they started).
//
// Why the second test: with loads free to run ahead, networks can fill the budget with weights whose
// executions then wait for bytes nobody will release. So every started unit u keeps a bound P(u) on the
// most it may hold while finishing alone in its canonical sequential order (graph.ts): P = suffixPeak[f]
// + bytes held by steps started ahead of f (f = first canonical step not yet done). The state is safe when
// each unit k, after all units started before it have finished, can finish next to what later units hold:
//   P(k) + Σ_{j started after k} held(j) <= budget   for every k.
// A step is admitted only if the state stays safe; the oldest unit's next canonical step is always
// admitted when its bytes fit (the bound overestimates; the true need fits), so the oldest unit always
// progresses and the run can never deadlock on memory.
import type { Step, StepGraph } from "./graph.ts";

interface UnitState {
  started: boolean;
  finished: boolean;
  heldBytes: number;
  /** Bytes held by steps after canonical position f. */
  aheadBytes: number;
  /** First canonical position not yet done. */
  f: number;
  done: boolean[];
}

export class AdmissionGuard {
  /** Started, unfinished units in start order. */
  private readonly active: number[] = [];
  private readonly units: UnitState[];
  private readonly position: Int32Array;
  private readonly heldByStep: Float64Array;
  private heldTotal = 0;
  // Cache of the safety conditions, rebuilt after any change.
  private dirty = true;
  private slackBefore: number[] = [];
  private heldAfter: number[] = [];
  private slackAll = Infinity;
  private readonly activeIndex = new Map<number, number>();

  constructor(
    private readonly graph: StepGraph,
    /** null: no budget (everything fits). */
    readonly budgetBytes: number | null,
  ) {
    this.units = graph.units.map((u) => ({
      started: false,
      finished: false,
      heldBytes: 0,
      aheadBytes: 0,
      f: 0,
      done: new Array<boolean>(u.canonical.length).fill(false),
    }));
    this.position = new Int32Array(graph.steps.length);
    for (const u of graph.units) u.canonical.forEach((s, p) => (this.position[s] = p));
    this.heldByStep = new Float64Array(graph.steps.length);
  }

  get heldBytes(): number {
    return this.heldTotal;
  }

  /** Bytes not reserved; Infinity without a budget. */
  get freeBytes(): number {
    return this.budgetBytes === null ? Infinity : this.budgetBytes - this.heldTotal;
  }

  private bound(u: number): number {
    const state = this.units[u]!;
    return this.graph.units[u]!.suffixPeakBytes[state.f]! + state.aheadBytes;
  }

  private refresh() {
    if (!this.dirty) return;
    const budget = this.budgetBytes ?? Infinity;
    const n = this.active.length;
    this.heldAfter = new Array<number>(n).fill(0);
    for (let k = n - 2; k >= 0; k--) this.heldAfter[k] = this.heldAfter[k + 1]! + this.units[this.active[k + 1]!]!.heldBytes;
    this.slackBefore = new Array<number>(n).fill(Infinity);
    let slack = Infinity;
    for (let k = 0; k < n; k++) {
      this.slackBefore[k] = slack;
      slack = Math.min(slack, budget - (this.bound(this.active[k]!) + this.heldAfter[k]!));
    }
    this.slackAll = slack;
    this.activeIndex.clear();
    this.active.forEach((u, k) => this.activeIndex.set(u, k));
    this.dirty = false;
  }

  /** Can `step` start now without passing the budget or risking a deadlock? */
  fits(step: Step): boolean {
    if (this.budgetBytes === null) return true;
    const r = step.reserveBytes;
    if (r > this.budgetBytes - this.heldTotal) return false;
    this.refresh();
    const u = step.unit;
    const state = this.units[u]!;
    const pos = this.position[step.id]!;
    const k = this.activeIndex.get(u);
    if (k === 0 && pos === state.f) return true;
    const ahead = pos > state.f ? r : 0;
    if (k === undefined) {
      // A new unit joins last: everyone before must still fit, and it must fit after them.
      if (r > this.slackAll) return false;
      return this.graph.units[u]!.suffixPeakBytes[state.f]! + state.aheadBytes + ahead <= this.budgetBytes;
    }
    if (r > this.slackBefore[k]!) return false;
    return this.bound(u) + ahead + this.heldAfter[k]! <= this.budgetBytes;
  }

  /** Records that `step` started: its bytes are now held. */
  started(step: Step) {
    const u = step.unit;
    const state = this.units[u]!;
    if (!state.started) {
      state.started = true;
      this.active.push(u);
    }
    const r = step.reserveBytes;
    this.heldByStep[step.id] = r;
    state.heldBytes += r;
    this.heldTotal += r;
    if (this.position[step.id]! > state.f) state.aheadBytes += r;
    this.dirty = true;
  }

  /** Records that `step` ended; a free step gives its bytes back here. */
  completed(step: Step) {
    const u = step.unit;
    const state = this.units[u]!;
    for (const release of step.releases) {
      const owner = this.graph.steps[release.stepId]!;
      const ownerState = this.units[owner.unit]!;
      this.heldByStep[release.stepId]! -= release.bytes;
      ownerState.heldBytes -= release.bytes;
      this.heldTotal -= release.bytes;
      if (this.position[release.stepId]! > ownerState.f) ownerState.aheadBytes -= release.bytes;
    }
    state.done[this.position[step.id]!] = true;
    const canonical = this.graph.units[u]!.canonical;
    while (state.f < canonical.length && state.done[state.f]) {
      state.f++;
      if (state.f < canonical.length) state.aheadBytes -= this.heldByStep[canonical[state.f]!]!;
    }
    if (state.f === canonical.length && !state.finished) {
      state.finished = true;
      this.active.splice(this.active.indexOf(u), 1);
    }
    this.dirty = true;
  }
}
