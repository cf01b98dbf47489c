// Memory admission on the per-layer ledger: a step starts only if its bytes fit under the budget AND the
// run stays deadlock-free (the banker's algorithm, for one resource: bytes).
//
// Why the second test: with loads free to run ahead, networks can fill the budget with weights whose
// executions then wait for bytes nobody will release. So every started unit u keeps a bound P(u) on the
// most it may hold while finishing alone in its canonical sequential order (graph.ts) from where it is:
//   P = max over the canonical positions q >= f of (peak[q] + bytes held by steps started ahead of q),
// f = the first canonical step not yet done, peak[q] = what the canonical run holds while step q runs
// (it already counts every step before q, so a step started early adds its bytes only before its turn).
// The unit needs P(u) - held(u) more bytes to finish. The state is safe when the units can finish one
// after the other, each releasing what it holds; with one resource, trying them by increasing need
// decides it. A step is admitted only if the state after it is safe. A safe state always admits the next
// canonical step of the unit with the smallest need (its bytes are part of that need), so the run never
// deadlocks on memory, whatever the policy picks, as long as it picks something admissible.
//
// Kept weights (the engine's residency, engine.ts) belong to no unit while idle: they stay in the ledger
// (`idleBytes`, part of `heldBytes`) but count as available in both tests, since the engine evicts them
// whenever a step needs the room. A load that adopts an idle copy takes its bytes over instead of reserving.
import type { Step, StepGraph } from "./graph.ts";
import { insertionIndex } from "./sorted.ts";

interface UnitState {
  started: boolean;
  finished: boolean;
  heldBytes: number;
  /** Canonical positions after f of steps that started (sorted); their held bytes count before their turn. */
  ahead: number[];
  /** First canonical position not yet done. */
  f: number;
  done: boolean[];
  /** P, while valid. */
  bound: number;
  boundValid: boolean;
}

/** Range maxima over one unit's canonical peaks, in O(1) per query after O(n log n) set-up. */
class RangeMax {
  private readonly levels: Float64Array[] = [];
  constructor(values: readonly number[]) {
    this.levels.push(Float64Array.from(values));
    for (let width = 2; width <= values.length; width *= 2) {
      const prev = this.levels[this.levels.length - 1]!;
      const half = width / 2;
      const next = new Float64Array(values.length - width + 1);
      for (let i = 0; i < next.length; i++) next[i] = Math.max(prev[i]!, prev[i + half]!);
      this.levels.push(next);
    }
  }
  /** max of values[lo..hi) (-Infinity when empty). */
  max(lo: number, hi: number): number {
    if (hi <= lo) return -Infinity;
    const level = 31 - Math.clz32(hi - lo);
    const row = this.levels[level]!;
    return Math.max(row[lo]!, row[hi - (1 << level)]!);
  }
}

export class AdmissionGuard {
  /** Started, unfinished units. */
  private readonly active: number[] = [];
  private readonly units: UnitState[];
  private readonly position: Int32Array;
  private readonly heldByStep: Float64Array;
  private heldTotal = 0;
  private idleTotal = 0;
  /** Active units by increasing need, rebuilt after any change. */
  private dirty = true;
  private byNeed: number[] = [];
  private readonly tables = new Map<number, RangeMax>();

  constructor(
    private readonly graph: StepGraph,
    /** null: no budget (everything fits). */
    readonly budgetBytes: number | null,
  ) {
    this.units = graph.units.map((u) => ({
      started: false,
      finished: false,
      heldBytes: 0,
      ahead: [],
      f: 0,
      done: new Array<boolean>(u.canonical.length).fill(false),
      bound: 0,
      boundValid: false,
    }));
    this.position = new Int32Array(graph.steps.length);
    for (const u of graph.units) u.canonical.forEach((s, p) => (this.position[s] = p));
    this.heldByStep = new Float64Array(graph.steps.length);
  }

  /** Every byte in the ledger: what units hold and idle kept weights. */
  get heldBytes(): number {
    return this.heldTotal;
  }

  /** Kept weights no unit uses now (evictable). */
  get idleBytes(): number {
    return this.idleTotal;
  }

  /** Bytes not reserved; Infinity without a budget. Idle kept weights are not free: evict them first. */
  get freeBytes(): number {
    return this.budgetBytes === null ? Infinity : this.budgetBytes - this.heldTotal;
  }

  private rangeMax(u: number): RangeMax {
    let table = this.tables.get(u);
    if (!table) {
      table = new RangeMax(this.graph.units[u]!.peakBytes);
      this.tables.set(u, table);
    }
    return table;
  }

  /**
   * max over q in [f, end) of peak[q] + (bytes held by ahead steps after q), plus `extra` for q < `at`
   * (a candidate step at position `at`).
   */
  private boundWith(u: number, at: number, extra: number): number {
    const state = this.units[u]!;
    const end = this.graph.units[u]!.canonical.length;
    if (state.f >= end) return 0;
    const table = this.rangeMax(u);
    const canonical = this.graph.units[u]!.canonical;
    let after = 0;
    for (const p of state.ahead) after += this.heldByStep[canonical[p]!]!;
    let best = -Infinity;
    let lo = state.f;
    const segment = (hi: number) => {
      // [lo, hi): ahead bytes `after`, plus `extra` on the part before `at`.
      if (at > lo) best = Math.max(best, table.max(lo, Math.min(hi, at)) + after + extra);
      if (at < hi) best = Math.max(best, table.max(Math.max(lo, at), hi) + after);
    };
    for (const p of state.ahead) {
      segment(p);
      after -= this.heldByStep[canonical[p]!]!;
      lo = p;
    }
    segment(end);
    return best;
  }

  private bound(u: number): number {
    const state = this.units[u]!;
    if (!state.boundValid) {
      state.bound = this.boundWith(u, -1, 0);
      state.boundValid = true;
    }
    return state.bound;
  }

  private need(u: number): number {
    return this.bound(u) - this.units[u]!.heldBytes;
  }

  /** Can `step` start now without passing the budget or risking a deadlock? */
  /**
   * `evictableBytes`: the idle kept bytes this step may have evicted for it (default all); kept sessions
   * needed sooner than the step are not given up for it. For safety every idle byte counts as available.
   */
  fits(step: Step, evictableBytes = this.idleTotal): boolean {
    if (this.budgetBytes === null) return true;
    const r = step.reserveBytes;
    if (r > this.budgetBytes - this.heldTotal + Math.min(evictableBytes, this.idleTotal)) return false;
    const free = this.budgetBytes - this.heldTotal + this.idleTotal;
    if (this.dirty) {
      this.byNeed = this.active.slice().sort((a, b) => this.need(a) - this.need(b) || a - b);
      this.dirty = false;
    }
    const u = step.unit;
    const state = this.units[u]!;
    // The unit after the step: a step started ahead of its turn holds its bytes before its turn too; the
    // step at f is inside the bound already.
    const pos = this.position[step.id]!;
    const heldAfter = state.heldBytes + r;
    const needAfter = (pos > state.f ? this.boundWith(u, pos, r) : this.bound(u)) - heldAfter;
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
  /**
   * Records that `step` started: its bytes are now held. `adopted`: they were idle kept weights, which the
   * step's unit now holds (nothing new enters the ledger).
   */
  started(step: Step, adopted = false) {
    const u = step.unit;
    const state = this.units[u]!;
    if (!state.started) {
      state.started = true;
      this.active.push(u);
    }
    const r = step.reserveBytes;
    this.heldByStep[step.id] = r;
    state.heldBytes += r;
    if (adopted) {
      if (r > this.idleTotal) throw new Error(`step ${step.id} adopts ${r} bytes, only ${this.idleTotal} are idle`);
      this.idleTotal -= r;
    } else {
      this.heldTotal += r;
    }
    const pos = this.position[step.id]!;
    if (pos > state.f) state.ahead.splice(insertionIndex(state.ahead, pos), 0, pos);
    state.boundValid = false;
    this.dirty = true;
  }

  /**
   * Records that `step` ended; a free step gives its bytes back here, except what the step `kept` reserved
   * (a load whose weights stay resident): those bytes become idle.
   */
  completed(step: Step, kept = -1) {
    const u = step.unit;
    const state = this.units[u]!;
    for (const release of step.releases) {
      const owner = this.graph.steps[release.stepId]!;
      const ownerState = this.units[owner.unit]!;
      this.heldByStep[release.stepId]! -= release.bytes;
      ownerState.heldBytes -= release.bytes;
      ownerState.boundValid = false;
      if (release.stepId === kept) this.idleTotal += release.bytes;
      else this.heldTotal -= release.bytes;
    }
    state.done[this.position[step.id]!] = true;
    const canonical = this.graph.units[u]!.canonical;
    while (state.f < canonical.length && state.done[state.f]) state.f++;
    let passed = 0;
    while (passed < state.ahead.length && state.ahead[passed]! <= state.f) passed++;
    if (passed > 0) state.ahead.splice(0, passed);
    state.boundValid = false;
    if (state.f === canonical.length && !state.finished) {
      state.finished = true;
      this.active.splice(this.active.indexOf(u), 1);
      this.tables.delete(u);
    }
    this.dirty = true;
  }

  /** Idle kept weights leave the ledger. */
  evicted(bytes: number) {
    if (bytes > this.idleTotal) throw new Error(`evicting ${bytes} bytes, only ${this.idleTotal} are idle`);
    this.idleTotal -= bytes;
    this.heldTotal -= bytes;
  }
}
