// Arrivals from the plan: which networks arrive, and when, as EdgeCaffe's runner admits them (reference §4).
import type { ArrivalsPlan } from "../../lang/plan.ts";
import { SeededRandom } from "./random.ts";

export interface Arrival {
  /** Indexes into the pipeline's models, in list order. */
  networks: number[];
  /**
   * Stochastic arrivals: ms after the previous admission (EdgeCaffe's `time`), i.e. the arrival's time is
   * the sum of the gaps so far. Batch rounds: the same gap, but counted once the previous round finished.
   * (`absolute` schedules: the time since the run's start instead.)
   */
  gapMs: number;
}

export interface ArrivalSchedule {
  /** Batch: a round is admitted only once no network of the pipeline is active. */
  gated: boolean;
  /** Gaps are times since the run's start (no plan form makes this; embedders may). */
  absolute: boolean;
  arrivals: Arrival[];
}

/**
 * Expands an ArrivalsPlan over `modelCount` models. Gaps are whole ms (EdgeCaffe truncates them).
 * First arrivals: batch, periodic and poisson start at 0 (EdgeCaffe's generated lists start with gap 0);
 * normal waits its first gap, as EdgeCaffe's stochastic lists do.
 */
export function expandArrivals(plan: ArrivalsPlan, modelCount: number): ArrivalSchedule {
  return { gated: plan.kind === "batch", absolute: false, arrivals: [...arrivalStream(plan, modelCount)] };
}

/**
 * The arrivals of `plan` one at a time, as expandArrivals lists them, each drawn only when asked for: a
 * consumer that keeps none of them needs memory for one, whatever the count.
 */
export function* arrivalStream(plan: ArrivalsPlan, modelCount: number): Generator<Arrival, void, undefined> {
  const all = Array.from({ length: modelCount }, (_, i) => i);
  // Its own stream, so the networks drawn do not echo the gaps drawn from the same seed.
  const pickRandom = plan.pick ? new SeededRandom(plan.pick.seed ^ 0x5bd1e995) : null;
  const networks = () => {
    if (!plan.pick || !pickRandom) return all.slice();
    return Array.from({ length: plan.pick.count }, () => pickRandom.int(modelCount));
  };
  switch (plan.kind) {
    case "batch":
      for (let r = 0; r < plan.rounds; r++) yield { networks: networks(), gapMs: r === 0 ? 0 : plan.gapMs };
      return;
    case "periodic":
      for (let r = 0; r < plan.count; r++) yield { networks: networks(), gapMs: r === 0 ? 0 : plan.periodMs };
      return;
    case "normal": {
      const random = new SeededRandom(plan.seed);
      for (let r = 0; r < plan.count; r++) {
        const gap = Math.max(0, Math.trunc(plan.meanMs + plan.stddevMs * random.normal()));
        yield { networks: networks(), gapMs: gap };
      }
      return;
    }
    case "poisson": {
      const random = new SeededRandom(plan.seed);
      for (let r = 0; r < plan.count; r++) {
        const gap = r === 0 ? 0 : Math.trunc(random.exponential(plan.meanMs));
        yield { networks: networks(), gapMs: gap };
      }
      return;
    }
    case "times":
      // EdgeCaffe's arrival lists: each entry is the gap since the previous admission.
      for (const gap of plan.timesMs) yield { networks: networks(), gapMs: gap };
      return;
  }
}
