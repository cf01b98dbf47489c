// The interface a scheduling policy implements (stdlib/policies holds EdgeCaffe's and ours).
// The engine owns the step graph, the ledger and the clock; a policy only says which lanes exist and,
// when a lane is idle, which ready step it starts.
import type { GraphMode, Step, StepGraph } from "./graph.ts";

/**
 * "ledger": per-layer accounting is a hard ceiling (a step starts only when its bytes fit and the run stays
 * deadlock-free). "edgecaffe": EdgeCaffe's own behaviour, quirks included: nothing is gated by the ledger
 * (it only records), MASA reserves each network's declared peak at INIT hand-out, and the batch gate
 * opens when no started network is active.
 */
export type Admission = "ledger" | "edgecaffe";

/** A lane (a worker thread) and the ready pools it takes steps from. */
export interface LaneSpec {
  pools: number[];
}

export interface PolicyContext {
  readonly nowMs: number;
  readonly graph: StepGraph;
  readonly admission: Admission;
  readonly budgetBytes: number | null;
  /** Budget minus accounted bytes (Infinity without a budget; may be negative under "edgecaffe"). */
  readonly freeBytes: number;
  /** Whether the step may start now: the ledger's verdict under "ledger", always true under "edgecaffe". */
  fits(step: Step): boolean;
  /** Whether a load would adopt an idle kept session now (no reading, no time) rather than load. */
  resident(step: Step): boolean;
  /** Index of the first layer of the instance whose exec has not started yet. */
  nextExec(instance: number): number;
  /** 0 for the first instance whose init started, 1 for the next...; Infinity if not started. */
  startOrder(instance: number): number;
  /** Instances whose init started and that have not finished (EdgeCaffe's active-network count). */
  readonly activeNetworks: number;
  /** The step each lane runs now (null when idle). */
  readonly running: readonly (Step | null)[];
  /** Arrivals come in batch rounds (each waits for the previous round), rather than as a stream. */
  readonly batchRounds: boolean;
  /** Arrivals not admitted yet (0: what is here is all the work left). */
  readonly arrivalsPending: number;
}

export interface Policy {
  readonly name: string;
  /** The task graph EdgeCaffe builds for this mode (runtime/schedule/graph.ts). */
  readonly graph: GraphMode;
  /** Chain each network's init to the previous network's last exec (EdgeCaffe's bulk, linear, execprio-inter). */
  readonly chain: boolean;
  /**
   * Keep loaded layers resident across network instances while the budget allows (runtime/schedule/
   * residency.ts): a later instance adopts the session instead of reading the weights again. EdgeCaffe's
   * policies reload every instance (their definition); default false.
   */
  readonly keepsWeights?: boolean;
  /** The lanes this policy runs on when the run asks for `workers`. */
  lanes(workers: number): LaneSpec[];
  /** Which of `ready` (sorted by task id) `lane` starts now, or null to leave it idle. */
  pick(ready: readonly Step[], lane: number, ctx: PolicyContext): Step | null;
  /** Hooks, for policies that keep their own books (MASA's memory counter). */
  started?(step: Step, ctx: PolicyContext): void;
  networkFinished?(instance: number, ctx: PolicyContext): void;
}

/** Makes a fresh policy for one run (policies may keep per-run state). */
export type PolicyFactory = () => Policy;
