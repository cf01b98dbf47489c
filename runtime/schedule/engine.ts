// The scheduling engine: event-driven, clock-free, shared by the simulator and the real executor.
//
// Driving it (a "backend" is whoever owns the clock and runs steps):
//   const engine = new Engine(graph, schedule, policy, { workers, memoryBudgetBytes });
//   let d = engine.poll(0);                        // steps to start now
//   loop: start every d.start[i].step on lane d.start[i].lane; perform every d.free[i] (release the
//         layer's session and the activations it names; no completion report needed);
//         when a started step ends:  engine.complete(step.id, endMs[, startMs]); d = engine.poll(endMs);
//         when nothing runs and d.wakeAtMs !== null, call engine.poll(d.wakeAtMs) at that time (next arrival);
//         until engine.finished.
// Times are ms since the run's start on the backend's clock. Two drivers, one for each kind of clock: the
// simulator (./simulate.ts) drives it synchronously on a virtual clock; ./drive.ts drives it with an
// asynchronous backend, and real execution is one (runtime/execute/real-run.ts). Every scheduling rule is
// the engine's and the policy's; test/runtime/schedule/drive.test.ts checks that both drivers give the same
// schedule when steps take the same time.
import type { ArrivalSchedule } from "./arrivals.ts";
import { AdmissionGuard } from "./admission.ts";
import { sessionKey, type Step, type StepGraph } from "./graph.ts";
import type { Admission, LaneSpec, Policy, PolicyContext } from "./policy.ts";
import { type Eviction, Residency } from "./residency.ts";
import { insertionIndex } from "./sorted.ts";

export interface EngineOptions {
  /** Execution lanes requested (`workers N`); the policy decides how many it really uses. */
  workers: number;
  /** null = no budget. */
  memoryBudgetBytes: number | null;
  admission?: Admission;
  /**
   * Keep loaded layers resident across instances when the budget allows (./residency.ts). Default: the
   * policy's `keepsWeights`. Only under the ledger's admission.
   */
  keep?: boolean;
}

export interface Launch {
  step: Step;
  lane: number;
  /**
   * Loads: the session the layer's weights live in. `adopted`: an idle kept session of an earlier instance
   * (on `lane` of its own, possibly another than the step's), so the load reads nothing and takes no time.
   */
  session?: { id: number; adopted: boolean; lane: number };
}

/** A free step the engine performed: the layer's session is released, or kept (`keep`) for a later instance. */
export interface Freed {
  step: Step;
  session: number;
  keep: boolean;
}

export interface Dispatch {
  /** Steps to start now, each on its lane. */
  start: Launch[];
  /** Free steps the engine performed since the last poll (their bytes are already released or idle). */
  free: Freed[];
  /** Kept sessions given up since the last poll to make room (their bytes are already released). */
  evict: Eviction[];
  /** When to poll again if no step completes before (the next arrival), or null. */
  wakeAtMs: number | null;
}

/** A scheduling failure that is the scenario's fault (a deadlock report names what was waiting). */
export class SchedulingError extends Error {
  constructor(message: string, readonly code = "E_SCHEDULE") {
    super(message);
    this.name = "SchedulingError";
  }
}

const PENDING = 0;
const READY = 1;
const RUNNING = 2;
const DONE = 3;

export class Engine {
  readonly lanes: LaneSpec[];
  readonly admission: Admission;
  readonly guard: AdmissionGuard;
  /** Per step: when it started and ended, and on which lane (-1 until it ran). */
  readonly startMs: Float64Array;
  readonly endMs: Float64Array;
  readonly lane: Int32Array;
  /** Per step: bytes it read from storage, as the backend measured (NaN: not measured). */
  readonly readBytes: Float64Array;
  /** Per instance. */
  readonly arrivalMs: Float64Array;
  readonly instanceStartMs: Float64Array;
  readonly instanceEndMs: Float64Array;
  /** Accounted bytes after every change. */
  readonly memory: { atMs: number; accountedBytes: number }[] = [{ atMs: 0, accountedBytes: 0 }];
  peakAccountedBytes = 0;

  private readonly status: Uint8Array;
  private readonly waiting: Int32Array;
  private readonly ready: Step[][] = [];
  private readonly running: (Step | null)[];
  private runningCount = 0;
  private readonly nextExecLayer: Int32Array;
  private readonly startOrderOf: Float64Array;
  private startedInstances = 0;
  private readonly stepsLeft: Int32Array;
  private finishedInstances = 0;
  private admittedInstances = 0;
  private activeCount = 0;
  private nextArrival = 0;
  private lastAdmissionMs = 0;
  private pendingFrees: Freed[] = [];
  private pendingEvictions: Eviction[] = [];
  /** Set for one retry when nothing could start: then any kept session may go (never a deadlock on kept bytes). */
  private anyVictim = false;
  readonly residency: Residency;
  /** Per step: its layer's load step (loads, execs and frees of layers; -1 otherwise). */
  private readonly loadOf: Int32Array;
  /** Per load step: 1 when it adopted a kept session; per free step: 1 when it kept its session. */
  private readonly adoptedLoad: Uint8Array;
  private readonly keptFree: Uint8Array;
  /** Kept sessions given up, when, and their bytes (the ledger's other way down besides free steps). */
  readonly evictions: { atMs: number; session: number; bytes: number }[] = [];
  /** Per load step: the session it loaded or adopted (-1 until it started). */
  readonly sessionOf: Int32Array;
  private nowMs = 0;
  private readonly ctx: PolicyContext;

  constructor(
    readonly graph: StepGraph,
    readonly schedule: ArrivalSchedule,
    readonly policy: Policy,
    readonly options: EngineOptions,
  ) {
    if (!Number.isInteger(options.workers) || options.workers < 1) throw new SchedulingError(`workers must be a positive integer, got ${options.workers}`, "E_WORKERS");
    if (schedule.arrivals.length !== graph.arrivals.length) throw new Error("schedule and graph disagree on the arrivals");
    this.admission = options.admission ?? "ledger";
    this.lanes = policy.lanes(options.workers);
    const steps = graph.steps.length;
    this.startMs = new Float64Array(steps).fill(NaN);
    this.endMs = new Float64Array(steps).fill(NaN);
    this.lane = new Int32Array(steps).fill(-1);
    this.readBytes = new Float64Array(steps).fill(NaN);
    this.status = new Uint8Array(steps);
    this.waiting = new Int32Array(steps);
    for (const step of graph.steps) this.waiting[step.id] = step.deps.length + (step.kind === "init" ? 1 : 0); // +1: its arrival
    const instances = graph.instances.length;
    this.arrivalMs = new Float64Array(instances).fill(NaN);
    this.instanceStartMs = new Float64Array(instances).fill(NaN);
    this.instanceEndMs = new Float64Array(instances).fill(NaN);
    this.nextExecLayer = new Int32Array(instances);
    this.startOrderOf = new Float64Array(instances).fill(Infinity);
    this.stepsLeft = new Int32Array(instances);
    for (const inst of graph.instances) this.stepsLeft[inst.index] = inst.steps.length;
    this.running = new Array<Step | null>(this.lanes.length).fill(null);
    this.guard = new AdmissionGuard(graph, options.memoryBudgetBytes);
    this.loadOf = new Int32Array(steps).fill(-1);
    this.sessionOf = new Int32Array(steps).fill(-1);
    this.adoptedLoad = new Uint8Array(steps);
    this.keptFree = new Uint8Array(steps);
    const loadByLayer = new Map<string, number>();
    for (const step of graph.steps) if (step.kind === "load") loadByLayer.set(sessionKey(step.instance, step.layer), step.id);
    for (const step of graph.steps) if (step.kind !== "init") this.loadOf[step.id] = loadByLayer.get(sessionKey(step.instance, step.layer)) ?? -1;
    const keep = (options.keep ?? policy.keepsWeights ?? false) && this.admission === "ledger";
    this.residency = new Residency(graph, keep, (instance, layer) => {
      const load = loadByLayer.get(sessionKey(instance, layer));
      return load === undefined || this.status[load]! >= RUNNING;
    }, options.memoryBudgetBytes);
    const engine = this;
    const ledger = this.admission === "ledger";
    this.ctx = {
      get nowMs() {
        return engine.nowMs;
      },
      graph,
      admission: this.admission,
      budgetBytes: options.memoryBudgetBytes,
      get freeBytes() {
        return engine.guard.freeBytes;
      },
      fits: ledger ? (step) => engine.guard.fits(step, engine.evictable()) : () => true,
      resident: (step) => step.kind === "load" && engine.residency.adoptable(step) !== undefined,
      nextExec: (i) => engine.nextExecLayer[i]!,
      startOrder: (i) => engine.startOrderOf[i]!,
      get activeNetworks() {
        return engine.activeCount;
      },
      running: this.running,
      batchRounds: schedule.gated,
      get arrivalsPending() {
        return engine.schedule.arrivals.length - engine.nextArrival;
      },
    };
  }

  /** Idle kept bytes that may be evicted to make room for a step now. */
  private evictable(): number {
    return this.guard.idleBytes === 0 ? 0 : this.residency.evictableBytes(this.anyVictim);
  }

  /** Whether load step `id` adopted a kept session (read nothing). */
  adopted(id: number): boolean {
    return this.adoptedLoad[id] === 1;
  }

  /** Whether free step `id` kept its layer's session loaded (its weights' bytes stayed, idle). */
  kept(id: number): boolean {
    return this.keptFree[id] === 1;
  }

  get finished(): boolean {
    return this.finishedInstances === this.graph.instances.length && this.nextArrival === this.schedule.arrivals.length;
  }

  /** Admits what has arrived by `nowMs`, then fills idle lanes. */
  poll(nowMs: number): Dispatch {
    this.nowMs = Math.max(this.nowMs, nowMs);
    this.admitArrivals();
    const start = this.fillLanes();
    if (start.length === 0 && this.runningCount === 0 && this.guard.idleBytes > 0) {
      // Nothing runs and nothing could start without giving up a session needed sooner: give one up.
      this.anyVictim = true;
      start.push(...this.fillLanes());
      this.anyVictim = false;
    }
    if (this.finished) this.evictAll();
    const wakeAtMs = this.wakeAt();
    if (start.length === 0 && this.runningCount === 0 && wakeAtMs === null && !this.finished) this.deadlock();
    return { start, ...this.takeReleases(), wakeAtMs };
  }

  /** Offers each idle lane its ready steps; the policy picks. */
  private fillLanes(): Launch[] {
    const start: Launch[] = [];
    for (let lane = 0; lane < this.lanes.length; lane++) {
      if (this.running[lane]) continue;
      const pools = this.lanes[lane]!.pools;
      const ready = pools.length === 1 ? (this.ready[pools[0]!] ?? []) : mergeReady(pools.map((p) => this.ready[p] ?? []));
      if (ready.length === 0) continue;
      const step = this.policy.pick(ready, lane, this.ctx);
      if (!step) continue;
      if (this.status[step.id] !== READY || !pools.includes(step.pool)) throw new Error(`policy ${this.policy.name} picked step ${step.id}, which is not ready on lane ${lane}`);
      start.push(this.launch(step, lane));
    }
    return start;
  }

  /** After a stop: the frees that completions made ready, every kept session given up, nothing new started. */
  drain(): Dispatch {
    this.evictAll();
    return { start: [], ...this.takeReleases(), wakeAtMs: null };
  }

  private takeReleases(): { free: Freed[]; evict: Eviction[] } {
    const released = { free: this.pendingFrees, evict: this.pendingEvictions };
    this.pendingFrees = [];
    this.pendingEvictions = [];
    return released;
  }

  /**
   * Records that a started step ended at `endMs` (and, if the backend knows better, started at `startMs`),
   * having read `readBytes` from storage when the backend measured it.
   */
  complete(stepId: number, endMs: number, startMs?: number, readBytes?: number): void {
    const step = this.graph.steps[stepId];
    if (!step || this.status[stepId] !== RUNNING) throw new Error(`step ${stepId} is not running`);
    this.nowMs = Math.max(this.nowMs, endMs);
    if (startMs !== undefined) this.startMs[stepId] = startMs;
    if (readBytes !== undefined) this.readBytes[stepId] = readBytes;
    this.endMs[stepId] = endMs;
    this.status[stepId] = DONE;
    this.running[this.lane[stepId]!] = null;
    this.runningCount--;
    this.guard.completed(step);
    this.finishStep(step, endMs);
  }

  private launch(step: Step, lane: number): Launch {
    // The ledger is the only gate: whatever the policy picked must pass the test its ctx.fits offers it
    // (a load adopting a kept session takes over bytes already in the ledger, and is never refused).
    const adopting = step.kind === "load" && this.residency.adoptable(step) !== undefined;
    if (this.admission === "ledger" && !adopting && !this.guard.fits(step, this.evictable())) this.overBudget(step);
    const pool = this.ready[step.pool]!;
    pool.splice(indexOfTask(pool, step.taskId), 1);
    this.status[step.id] = RUNNING;
    this.startMs[step.id] = this.nowMs;
    this.lane[step.id] = lane;
    this.running[lane] = step;
    this.runningCount++;
    const launch: Launch = { step, lane };
    this.residency.launched(step.instance);
    const kept = step.kind === "load" ? this.residency.adoptable(step) : undefined;
    if (kept) {
      this.residency.adopt(kept, step);
      this.guard.started(step, true);
      launch.session = { id: kept.id, adopted: true, lane: kept.lane };
      this.adoptedLoad[step.id] = 1;
    } else {
      this.makeRoom(step.reserveBytes, lane);
      this.guard.started(step);
      const budget = this.options.memoryBudgetBytes;
      if (this.admission === "ledger" && budget !== null && this.guard.heldBytes > budget) {
        throw new Error(`engine: step ${step.id} took the ledger to ${this.guard.heldBytes} of ${budget} bytes after it was admitted`);
      }
      if (step.kind === "load") launch.session = { id: this.residency.open(step, lane).id, adopted: false, lane };
    }
    if (launch.session) this.sessionOf[step.id] = launch.session.id;
    this.noteMemory();
    const inst = step.instance;
    if (step.kind === "init") {
      this.instanceStartMs[inst] = this.nowMs;
      this.startOrderOf[inst] = this.startedInstances++;
      this.activeCount++;
    } else if (step.kind === "exec" && step.layer >= 0) {
      this.nextExecLayer[inst] = step.layer + 1;
    }
    this.policy.started?.(step, this.ctx);
    return launch;
  }

  /** Evicts idle kept sessions until `bytes` are free (the ledger admitted the step counting them as free). */
  private makeRoom(bytes: number, lane: number) {
    while (this.guard.idleBytes > 0 && bytes > this.guard.freeBytes) {
      const victim = this.residency.victim(lane, this.anyVictim);
      if (!victim) break;
      this.evict(victim);
    }
  }

  private evict(session: ReturnType<Residency["get"]>) {
    this.residency.close(session);
    this.guard.evicted(session.bytes);
    this.evictions.push({ atMs: this.nowMs, session: session.id, bytes: session.bytes });
    this.pendingEvictions.push({ session: session.id, lane: session.lane, network: session.network, layer: session.layer, bytes: session.bytes });
  }

  private evictAll() {
    if (this.guard.idleBytes === 0) return;
    for (const session of this.residency.allIdle()) this.evict(session);
    this.noteMemory();
  }

  private finishStep(step: Step, endMs: number) {
    const inst = step.instance;
    if (--this.stepsLeft[inst]! === 0) {
      this.instanceEndMs[inst] = endMs;
      this.finishedInstances++;
      this.activeCount--;
      this.policy.networkFinished?.(inst, this.ctx);
    }
    for (const d of step.dependents) if (--this.waiting[d]! === 0) this.becomeReady(d);
  }

  private becomeReady(id: number) {
    const step = this.graph.steps[id]!;
    if (step.kind === "free") {
      // Frees take no lane: the bytes go back the moment the exec they follow has ended.
      this.status[id] = DONE;
      this.startMs[id] = this.nowMs;
      this.endMs[id] = this.nowMs;
      const exec = step.deps[0]!;
      this.lane[id] = this.lane[exec]!;
      const load = this.loadOf[id]!;
      const session = this.residency.get(this.sessionOf[load]!);
      const keep = this.residency.shouldKeep(session);
      this.guard.completed(step, keep ? load : -1);
      if (keep) {
        this.residency.keep(session);
        this.keptFree[id] = 1;
      } else {
        this.residency.close(session);
      }
      this.noteMemory();
      this.pendingFrees.push({ step, session: session.id, keep });
      this.finishStep(step, this.nowMs);
      return;
    }
    this.status[id] = READY;
    const pool = (this.ready[step.pool] ??= []);
    pool.splice(insertionIndex(pool, step.taskId, taskIdOf), 0, step);
  }

  private noteMemory() {
    const bytes = this.guard.heldBytes;
    if (bytes > this.peakAccountedBytes) this.peakAccountedBytes = bytes;
    const last = this.memory[this.memory.length - 1]!;
    if (last.atMs === this.nowMs) last.accountedBytes = bytes;
    else this.memory.push({ atMs: this.nowMs, accountedBytes: bytes });
  }

  private gateOpen(): boolean {
    if (!this.schedule.gated) return true;
    // Ours: the previous round has finished. EdgeCaffe's: no started network is active (quirk 7).
    return this.admission === "ledger" ? this.finishedInstances === this.admittedInstances : this.activeCount === 0;
  }

  private dueMs(): number {
    const gap = this.schedule.arrivals[this.nextArrival]!.gapMs;
    return this.schedule.absolute ? gap : this.lastAdmissionMs + gap;
  }

  private admitArrivals() {
    while (this.nextArrival < this.schedule.arrivals.length && this.gateOpen()) {
      const due = this.dueMs();
      if (due > this.nowMs) break;
      // A batch round gated past its due time counts its gap from the gate's opening (its admission).
      this.lastAdmissionMs = this.nowMs;
      for (const inst of this.graph.arrivals[this.nextArrival]!) {
        this.arrivalMs[inst] = this.nowMs;
        this.admittedInstances++;
        const init = this.graph.instances[inst]!.initStep;
        if (--this.waiting[init]! === 0) this.becomeReady(init);
      }
      this.nextArrival++;
      // One round per poll: EdgeCaffe admits at most one arrival per tick, and its workers take the
      // round's INITs before the next tick looks at the gate again.
      if (this.schedule.gated) break;
    }
  }

  private wakeAt(): number | null {
    if (this.nextArrival >= this.schedule.arrivals.length || !this.gateOpen()) return null;
    return Math.max(this.dueMs(), this.nowMs);
  }

  /** A step the policy picked that the ledger does not admit: refused, naming the policy and the step. */
  private overBudget(step: Step): never {
    const inst = this.graph.instances[step.instance]!;
    const what = `${step.kind} ${inst.name}#${inst.perName}${step.layer >= 0 ? `/${step.layerName}` : ""} (${step.reserveBytes} bytes)`;
    throw new SchedulingError(
      `policy ${this.policy.name} picked ${what} at ${this.nowMs} ms, which the ledger does not admit (${this.guard.heldBytes} of ${this.options.memoryBudgetBytes} bytes held); a policy may pick only steps for which ctx.fits(step) is true`,
      "E_NOT_ADMITTED",
    );
  }

  private deadlock(): never {
    const waiting = this.graph.steps.filter((s) => this.status[s.id] === READY).slice(0, 5);
    const names = waiting.map((s) => `${s.kind} ${this.graph.instances[s.instance]!.name}#${this.graph.instances[s.instance]!.perName}${s.layer >= 0 ? `/${s.layerName}` : ""} (${s.reserveBytes} bytes)`);
    throw new SchedulingError(
      `policy ${this.policy.name} cannot progress at ${this.nowMs} ms with ${this.guard.heldBytes} of ${this.options.memoryBudgetBytes ?? "unlimited"} bytes held; waiting: ${names.join(", ") || "nothing ready"}`,
      "E_DEADLOCK",
    );
  }
}

const taskIdOf = (step: Step) => step.taskId;

function indexOfTask(pool: Step[], taskId: number): number {
  const i = insertionIndex(pool, taskId, taskIdOf);
  if (pool[i]?.taskId !== taskId) throw new Error(`task ${taskId} not in its pool`);
  return i;
}

function mergeReady(pools: Step[][]): Step[] {
  return pools.flat().sort((a, b) => a.taskId - b.taskId);
}
