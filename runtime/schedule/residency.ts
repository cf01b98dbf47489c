// Weights kept resident across network instances: a layer's session, once loaded, can serve the next
// instance of the same network (the next batch round, the next arrival of a stream) instead of being read
// from storage again. The engine keeps a session at its free when a later instance will load that layer,
// and evicts kept sessions when a step needs their room: first those whose next use is furthest away
// (Belady's rule: with every kept byte saving one byte of reading at its next use, the bytes that serve
// soonest save the most reading per byte held over the time they are held).
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
  /** Idle sessions by `network/layer`. */
  private readonly idle = new Map<string, ResidentSession[]>();
  private nextId = 0;
  /** Per network: its instances in arrival order. */
  private readonly instancesOf: number[][] = [];
  /** Per instance: its position in instancesOf[network]. */
  private readonly position: Int32Array;
  /** Layers per network, at most, plus one (the whole network, layer -1): the next-use order's stride. */
  private readonly layerSlots: number;

  constructor(
    private readonly graph: StepGraph,
    /** Keep sessions at all (policies that keep weights resident); when false, every free releases. */
    readonly enabled: boolean,
    /** Whether the instance's load of that layer has started (or ended). */
    private readonly loadStarted: (instance: number, layer: number) => boolean,
  ) {
    this.layerSlots = Math.max(1, ...graph.networks.map((n) => n.spec.layers.length)) + 1;
    this.position = new Int32Array(graph.instances.length);
    for (const inst of graph.instances) {
      const list = (this.instancesOf[inst.network] ??= []);
      this.position[inst.index] = list.length;
      list.push(inst.index);
    }
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

  /**
   * The idle session to evict first: no further use, else the furthest next use (the arrival of the
   * next instance that will load it); at equal next use one on `lane` (its worker is free to release
   * it at once), then the larger.
   */
  victim(lane: number): ResidentSession | undefined {
    let best: ResidentSession | undefined;
    let bestUse = -1;
    for (const list of this.idle.values()) {
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

  /** Every idle session (the run is over: nothing will use them). */
  allIdle(): ResidentSession[] {
    return [...this.idle.values()].flat();
  }

  /**
   * When the layer is next needed, as an order: the next instance (after the session's last user) that
   * will load it, by instance index (arrival order, then the arrival's list order), then the layer's place
   * in its network. Infinity: never again.
   */
  private nextUse(session: ResidentSession): number {
    const list = this.instancesOf[session.network]!;
    for (let p = this.position[session.instance]! + 1; p < list.length; p++) {
      const instance = list[p]!;
      if (!this.loadStarted(instance, session.layer)) return instance * this.layerSlots + session.layer + 1;
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
