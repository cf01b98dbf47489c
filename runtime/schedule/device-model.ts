// The simulator's device: storage whose read bandwidth concurrent loads share, and a CPU quota that
// concurrent steps share (each using at most one core, as a session runs on one thread). A step is a
// sequence of phases (a load: read its weights, then create the session; an exec: compute); each phase
// progresses at its share of the resource until its work is done. Pure.

export interface DeviceModel {
  /** Storage read bandwidth, bytes per second; absent: reading is part of each load's time. */
  readBytesPerSecond?: number;
  /** Cores the process may use (a cgroup's quota); absent: every step gets a core of its own. */
  cpus?: number;
  /**
   * The device's memory (the limit it was measured under): a run gets no budget beyond it, and a run without
   * a budget gets it as one (the process's own overhead is not deducted: it is not known here).
   */
  memoryBytes?: number;
}

interface Phase {
  /** Reads (work in bytes) or computes (work in ms of one core). */
  io: boolean;
  work: number;
}

interface Active {
  id: number;
  phases: Phase[];
}

/** Steps in progress on a shared device; the caller moves its clock from event to event. */
export class SharedDevice {
  private readonly active: Active[] = [];

  constructor(private readonly device: DeviceModel) {}

  get reads(): boolean {
    return this.device.readBytesPerSecond !== undefined;
  }

  /**
   * Starts step `id`: `readBytes` to read (when the device reads), then `cpuMs` of computing, as measured on
   * this device by one step alone (so at its quota: a step alone takes cpuMs, concurrent ones share it).
   */
  start(id: number, readBytes: number, cpuMs: number): void {
    const phases: Phase[] = [];
    if (this.reads && readBytes > 0) phases.push({ io: true, work: readBytes });
    if (cpuMs > 0) phases.push({ io: false, work: cpuMs * Math.min(1, this.device.cpus ?? 1) });
    this.active.push({ id, phases });
  }

  /** Work per ms for a phase of each kind now. */
  private rates(): { io: number; cpu: number } {
    let io = 0;
    let cpu = 0;
    for (const a of this.active) if (a.phases.length > 0) a.phases[0]!.io ? io++ : cpu++;
    const bandwidth = (this.device.readBytesPerSecond ?? Infinity) / 1000;
    const cores = this.device.cpus ?? Infinity;
    return { io: io === 0 ? 0 : bandwidth / io, cpu: cpu === 0 ? 0 : Math.min(1, cores / cpu) };
  }

  /** ms until the next phase ends (0 when a step has nothing left), Infinity when nothing runs. */
  nextEventMs(): number {
    const rates = this.rates();
    let next = Infinity;
    for (const a of this.active) {
      const phase = a.phases[0];
      if (!phase) return 0;
      next = Math.min(next, phase.work / (phase.io ? rates.io : rates.cpu));
    }
    return next;
  }

  /** Moves every step `ms` forward; returns the ids of the steps that finished, lowest first. */
  advance(ms: number): number[] {
    const rates = this.rates();
    const done: number[] = [];
    for (let i = this.active.length - 1; i >= 0; i--) {
      const a = this.active[i]!;
      const phase = a.phases[0];
      if (phase) {
        phase.work -= ms * (phase.io ? rates.io : rates.cpu);
        // Within rounding of its end: the phase is over.
        if (phase.work <= 1e-9 * Math.max(1, ms)) a.phases.shift();
      }
      if (a.phases.length === 0) {
        done.push(a.id);
        this.active.splice(i, 1);
      }
    }
    return done.sort((x, y) => x - y);
  }
}
