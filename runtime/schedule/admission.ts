// Memory admission on the per-layer ledger: a step starts only if its bytes fit under the budget AND the
// run stays deadlock-free (the banker's algorithm, for one resource: bytes).
//
// Why the second test: with loads free to run ahead, networks can fill the budget with weights whose
// executions then wait for bytes nobody will release. So every started unit u keeps a bound P(u) on the
// most it may hold while finishing alone in its canonical sequential order (graph.ts): P = suffixPeak[f]
// + bytes held by steps started ahead of f (f = first canonical step not yet done), and needs
// P(u) - held(u) more bytes to finish. The state is safe when the units can finish one after the other,
// each releasing what it holds; with one resource, trying them by increasing need decides it. A step is
// admitted only if the state after it is safe. A safe state always admits the next canonical step of the
// unit with the smallest need (its bytes are part of that need), so the run never deadlocks on memory,
// whatever the policy picks, as long as it picks something admissible.
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
  /** Started, unfinished units. */
  private readonly active: number[] = [];
  private readonly units: UnitState[];
  private readonly position: Int32Array;
  private readonly heldByStep: Float64Array;
  private heldTotal = 0;
  /** Active units by increasing need, rebuilt after any change. */
  private dirty = true;
  private byNeed: number[] = [];

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

  private need(u: number): number {
    return this.bound(u) - this.units[u]!.heldBytes;
  }

  /** Can `step` start now without passing the budget or risking a deadlock? */
  fits(step: Step): boolean {
    if (this.budgetBytes === null) return true;
    const r = step.reserveBytes;
    const free = this.budgetBytes - this.heldTotal;
    if (r > free) return false;
    if (this.dirty) {
      this.byNeed = this.active.slice().sort((a, b) => this.need(a) - this.need(b) || a - b);
      this.dirty = false;
    }
    const u = step.unit;
    const state = this.units[u]!;
    // The unit after the step: a step ahead of f adds to both its bound and its holding; the step at f
    // is inside the bound already.
    const ahead = this.position[step.id]! > state.f;
    const heldAfter = state.heldBytes + r;
    const needAfter = this.bound(u) + (ahead ? r : 0) - heldAfter;
    let avail = free - r;
    let placed = false;
    for (const k of this.byNeed) {
      if (k === u) continue;
      const needK = this.need(k);
      if (!placed && needAfter <= needK) {
        if (needAfter > avail) return false;
        avail += heldAfter;
        placed = true;
      }
      if (needK > avail) return false;
      avail += this.units[k]!.heldBytes;
    }
    return placed || needAfter <= avail;
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
