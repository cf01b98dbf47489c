// Weights kept resident across network instances: a layer's session, once loaded, can serve the next
// instance of the same network (the next batch round, the next arrival of a stream) instead of being read
// from storage again. The engine keeps a session at its free when a later instance will load that layer.
//
// What to keep is planned once per run. Every kept byte saves one byte of reading per later use, so the
// plan pins the layers with the most later uses (then the largest) into the room the budget leaves beside
// what running the hungriest network alone needs: pinned sessions stay across rounds, whatever else runs.
// Sessions outside the plan are kept too while the room is free, and are the first evicted when a step
// needs it, furthest next use first (Belady's rule). Pinned ones go only when nothing could run otherwise.
// Why a plan rather than Belady alone: rounds repeat, and a layer kept early in a round is lost at the
// round's hungriest step anyway unless the room for it was set aside (measured on the scheduler's tests:
// Belady alone read 1.3-2.2x the least possible, the plan ...).
import type { Step, StepGraph } from "./graph.ts";

/** A loaded layer's session (a whole network's, layer -1, for bulk steps). */
export interface ResidentSession {
  id: number;
  network: number;
  layer: number;
  bytes: number;
  /** The lane it was loaded on: it lives in that worker. */
  lane: number;
  /** Kept with no instance using it (evictable). */
  idle: boolean;
  /** The instance that used it last. */
  instance: number;
  /** When in its round it was last used (launches since the round's first): where the next round will want it. */
  phase: number;
}

/** A kept session the engine gives up to make room: the backend releases it. */
export interface Eviction {
  session: number;
  lane: number;
  network: number;
  layer: number;
  bytes: number;
}

export class Residency {
  private readonly sessions = new Map<number, ResidentSession>();
  /** `network/layer` of the layers planned to stay resident across instances. */
  readonly pinned = new Set<string>();
  /** Idle sessions by `network/layer`. */
  private readonly idle = new Map<string, ResidentSession[]>();
  private nextId = 0;
  /** Per network: its instances in arrival order. */
  private readonly instancesOf: number[][] = [];
  /** Per instance: its position in instancesOf[network]. */
  private readonly position: Int32Array;
  /** Layers per network, at most, plus one (the whole network, layer -1): the next-use order's stride. */
  private readonly stride: number;
  /** Launches so far, and per arrival the count when its first step launched (-1: not yet). */
  private launches = 0;
  private readonly roundStart: Float64Array;

  constructor(
    private readonly graph: StepGraph,
    /** Keep sessions at all (policies that keep weights resident); when false, every free releases. */
    readonly enabled: boolean,
    /** Whether the instance's load of that layer has started (or ended). */
    private readonly loadStarted: (instance: number, layer: number) => boolean,
    /** The run's budget (null: none, every layer used again is pinned). */
    budgetBytes: number | null = null,
  ) {
    this.stride = graph.steps.length + 1;
    this.roundStart = new Float64Array(graph.arrivals.length).fill(-1);
    this.position = new Int32Array(graph.instances.length);
    for (const inst of graph.instances) {
      const list = (this.instancesOf[inst.network] ??= []);
      this.position[inst.index] = list.length;
      list.push(inst.index);
    }
    if (enabled) this.plan(budgetBytes);
  }

  /**
   * Pins layers used by more than one instance, most later uses first, then the largest, while they fit in
   * the budget less a reserve: the most any one unit holds running alone in its canonical order (graph.ts),
   * plus the largest load besides (one load ahead of the exec, so that reading overlaps computing). A pinned
   * layer is already in the budget, so it counts in neither: pinning the largest first leaves smaller loads
   * to stream and a smaller reserve, and the room that frees is pinned again until the plan stops changing.
   */
  private plan(budgetBytes: number | null): void {
    const candidates: { network: number; layer: number; uses: number; bytes: number }[] = [];
    this.instancesOf.forEach((instances, network) => {
      if (!instances || instances.length < 2) return;
      for (const id of this.graph.instances[instances[0]!]!.steps) {
        const step = this.graph.steps[id]!;
        if (step.kind === "load") candidates.push({ network, layer: step.layer, uses: instances.length - 1, bytes: step.reserveBytes });
      }
    });
    candidates.sort((a, b) => b.uses - a.uses || b.bytes - a.bytes);
    // Per network, by layer + 1 (the whole network is layer -1): 1 when pinned. reserveBytes walks every step.
    const pinnedLayers = this.graph.networks.map((n) => new Uint8Array(n.spec.layers.length + 1));
    const pin = (c: (typeof candidates)[number]) => {
      pinnedLayers[c.network]![c.layer + 1] = 1;
      this.pinned.add(key(c.network, c.layer));
    };
    if (budgetBytes === null) {
      for (const c of candidates) pin(c);
      return;
    }
    let reserve = this.reserveBytes(pinnedLayers);
    let pinnedBytes = 0;
    for (;;) {
      let room = budgetBytes - reserve - pinnedBytes;
      for (const c of candidates) {
        if (pinnedLayers[c.network]![c.layer + 1] === 1 || c.bytes > room) continue;
        pin(c);
        pinnedBytes += c.bytes;
        room -= c.bytes;
      }
      const next = this.reserveBytes(pinnedLayers);
      if (next >= reserve) return;
      reserve = next;
    }
  }

  /** What the plan keeps free beside the layers pinned so far (`pinnedLayers`, see plan()). */
  private reserveBytes(pinnedLayers: readonly Uint8Array[]): number {
    const steps = this.graph.steps;
    const instances = this.graph.instances;
    const isPinned = (step: Step) => step.kind === "load" && pinnedLayers[instances[step.instance]!.network]![step.layer + 1] === 1;
    let largestLoad = 0;
    for (const step of steps) if (step.kind === "load" && !isPinned(step)) largestLoad = Math.max(largestLoad, step.reserveBytes);
    let hungriest = 0;
    for (const unit of this.graph.units) {
      let level = 0;
      for (const id of unit.canonical) {
        const step = steps[id]!;
        const bytes = isPinned(step) ? 0 : step.reserveBytes;
        hungriest = Math.max(hungriest, level + bytes);
        level += bytes;
        for (const r of step.releases) if (!isPinned(steps[r.stepId]!)) level -= r.bytes;
      }
    }
    return hungriest + largestLoad;
  }

  get idleCount(): number {
    let n = 0;
    for (const list of this.idle.values()) n += list.length;
    return n;
  }

  /** An idle session the load `step` can adopt instead of reading, if any. */
  adoptable(step: Step): ResidentSession | undefined {
    if (!this.enabled) return undefined;
    const list = this.idle.get(key(this.graph.instances[step.instance]!.network, step.layer));
    return list?.[list.length - 1];
  }

  /** `step` (a load) takes `session` over. */
  adopt(session: ResidentSession, step: Step): void {
    this.unidle(session);
    session.instance = step.instance;
    session.phase = this.phaseOf(step.instance);
  }

  /** A new session for a load that reads. */
  open(step: Step, lane: number): ResidentSession {
    const session: ResidentSession = {
      id: this.nextId++,
      network: this.graph.instances[step.instance]!.network,
      layer: step.layer,
      bytes: step.reserveBytes,
      lane,
      idle: false,
      instance: step.instance,
      phase: this.phaseOf(step.instance),
    };
    this.sessions.set(session.id, session);
    return session;
  }

  get(id: number): ResidentSession {
    const session = this.sessions.get(id);
    if (!session) throw new Error(`no session ${id}`);
    return session;
  }

  /** At its free: keep the session when a later instance of its network will load its layer. */
  shouldKeep(session: ResidentSession): boolean {
    return this.enabled && this.nextUse(session) !== Infinity;
  }

  /** The session stays loaded with no user (its bytes become idle in the ledger). */
  keep(session: ResidentSession): void {
    session.idle = true;
    const k = key(session.network, session.layer);
    const list = this.idle.get(k);
    if (list) list.push(session);
    else this.idle.set(k, [session]);
  }

  /** The session is released (its free, or an eviction). */
  close(session: ResidentSession): void {
    if (session.idle) this.unidle(session);
    this.sessions.delete(session.id);
  }

  /** Counts a launch (of any step): the clock that orders uses within a round. */
  launched(instance: number): void {
    const arrival = this.graph.instances[instance]!.arrival;
    if (this.roundStart[arrival]! < 0) this.roundStart[arrival] = this.launches;
    this.launches++;
  }

  /** Where a step of `instance` launched now stands in the order of uses: its arrival, then its place in it. */
  useOrder(instance: number): number {
    return this.graph.instances[instance]!.arrival * this.stride + this.phaseOf(instance);
  }

  private phaseOf(instance: number): number {
    const start = this.roundStart[this.graph.instances[instance]!.arrival]!;
    return start < 0 ? 0 : this.launches - start;
  }

  /**
   * The idle session to evict first: outside the plan (pinned ones too with `any`), no further use first,
   * else the furthest next use; at equal next use one on `lane` (its worker is free to release it at
   * once), then the larger.
   */
  victim(lane: number, any: boolean): ResidentSession | undefined {
    let best: ResidentSession | undefined;
    let bestUse = -1;
    for (const [k, list] of this.idle) {
      if (!any && this.pinned.has(k)) continue;
      for (const s of list) {
        const use = this.nextUse(s);
        if (!best || use > bestUse || (use === bestUse && ((s.lane === lane) > (best.lane === lane) || (s.lane === lane) === (best.lane === lane) && s.bytes > best.bytes))) {
          best = s;
          bestUse = use;
        }
      }
    }
    return best;
  }

  /** Idle bytes outside the plan (with `any`, all idle bytes): what a step may have evicted for it. */
  evictableBytes(any: boolean): number {
    let bytes = 0;
    for (const [k, list] of this.idle) if (any || !this.pinned.has(k)) for (const s of list) bytes += s.bytes;
    return bytes;
  }

  /** Every idle session (the run is over: nothing will use them). */
  allIdle(): ResidentSession[] {
    return [...this.idle.values()].flat();
  }

  /**
   * When the layer is next needed, as an order: the arrival of the next instance (after the session's last
   * user) that will load it, then where in its round it was used last time (rounds repeat their order, as
   * with batch rounds of the same networks). Infinity: never again.
   */
  private nextUse(session: ResidentSession): number {
    const list = this.instancesOf[session.network]!;
    for (let p = this.position[session.instance]! + 1; p < list.length; p++) {
      const instance = list[p]!;
      if (!this.loadStarted(instance, session.layer)) return this.graph.instances[instance]!.arrival * this.stride + session.phase;
    }
    return Infinity;
  }

  private unidle(session: ResidentSession): void {
    const k = key(session.network, session.layer);
    const list = this.idle.get(k)!;
    list.splice(list.indexOf(session), 1);
    if (list.length === 0) this.idle.delete(k);
    session.idle = false;
  }
}

function key(network: number, layer: number): string {
  return `${network}/${layer}`;
}
