// Each policy's choice among ready steps, on a hand-made ready list: the tie-breaks the reference gives
// (FCFS: lowest task id; execprio: execs first; MASA: (mean-execution-time, EXEC<LOAD<INIT, id)) and mema's rules.
import { test } from "node:test";
import assert from "node:assert/strict";
import { buildStepGraph, type Step } from "../../../runtime/schedule/graph.ts";
import { chainNetwork } from "../../../runtime/schedule/network.ts";
import type { PolicyContext } from "../../../runtime/schedule/policy.ts";
import { policies } from "../../../stdlib/policies/index.ts";

const layer = (loadMs: number, execMs: number) => ({ weightsBytes: 10, activationBytes: 1, loadMs, execMs });
const networks = [
  chainNetwork("A", [layer(1, 1), layer(1, 1), layer(1, 1)], { meanExecMs: 300 }),
  chainNetwork("B", [layer(1, 50), layer(1, 50), layer(1, 1)], { meanExecMs: 100 }),
];
const graph = buildStepGraph(networks, [[0, 1]], { mode: "partial", chain: false });
const find = (inst: number, kind: Step["kind"], layerIndex = -1) =>
  graph.steps.find((s) => s.instance === inst && s.kind === kind && s.layer === layerIndex)!;

function ctx(over: Partial<PolicyContext> & { blocked?: Step[] } = {}): PolicyContext {
  const blocked = new Set(over.blocked ?? []);
  return {
    nowMs: 0,
    graph,
    admission: "ledger",
    budgetBytes: null,
    freeBytes: Infinity,
    fits: (s) => !blocked.has(s),
    resident: () => false,
    nextExec: () => 0,
    startOrder: (i) => i,
    activeNetworks: 2,
    running: [null, null],
    batchRounds: true,
    arrivalsPending: 0,
    ...over,
  };
}
const sorted = (steps: Step[]) => steps.slice().sort((a, b) => a.taskId - b.taskId);
const pick = (name: keyof typeof policies, ready: Step[], c = ctx()) => policies[name]().pick(sorted(ready), 0, c);

test("FCFS policies take the lowest task id that fits", () => {
  const ready = [find(1, "exec", 0), find(0, "load", 2), find(1, "load", 1)];
  for (const name of ["partial", "multi-bulk", "linear", "bulk", "deepeye"] as const) {
    assert.equal(pick(name, ready), find(0, "load", 2), name);
    // B's exec (task 9) comes before B's load of layer 1 (task 10).
    assert.equal(pick(name, ready, ctx({ blocked: [find(0, "load", 2)] })), find(1, "exec", 0), `${name}, blocked`);
  }
});

test("execprio hands out a ready exec before a lower-id load", () => {
  const ready = [find(1, "exec", 0), find(0, "load", 2), find(1, "load", 1)];
  assert.equal(pick("execprio", ready), find(1, "exec", 0));
  assert.equal(pick("execprio-inter", ready), find(1, "exec", 0));
  assert.equal(pick("execprio", ready, ctx({ blocked: [find(1, "exec", 0)] })), find(0, "load", 2));
});

test("masa: exec first, then by (mean-execution-time, LOAD before INIT, id)", () => {
  // B (100) before A (300) whatever the ids.
  assert.equal(pick("masa", [find(0, "exec", 0), find(1, "exec", 1)]), find(1, "exec", 1));
  assert.equal(pick("masa", [find(0, "load", 0), find(1, "exec", 2)]), find(1, "exec", 2));
  assert.equal(pick("masa", [find(0, "load", 0), find(1, "load", 2), find(1, "init")]), find(1, "load", 2));
  assert.equal(pick("masa", [find(0, "load", 0), find(1, "init")]), find(1, "init"));
  // A blocked head is skipped, not waited for.
  assert.equal(pick("masa", [find(0, "load", 0), find(1, "load", 2)], ctx({ blocked: [find(1, "load", 2)] })), find(0, "load", 0));
});

test("mema: execs first, the critical network's before the oldest's; urgent loads; then the load needed soonest", () => {
  // B's remaining path (about 100 ms of execs) is the longest: its exec goes first, then A's (older).
  assert.equal(pick("mema", [find(0, "load", 0), find(1, "exec", 0), find(0, "exec", 1)]), find(1, "exec", 0));
  assert.equal(pick("mema", [find(0, "load", 0), find(1, "exec", 0), find(0, "exec", 1)], ctx({ blocked: [find(1, "exec", 0)] })), find(0, "exec", 1));
  // A is about to run layer 1; B has not executed anything.
  const nextExec = (i: number) => (i === 0 ? 1 : 0);
  // B's first load is urgent (B has no slack and nothing ahead of it): it beats A's next load.
  assert.equal(pick("mema", [find(0, "load", 1), find(1, "load", 0)], ctx({ nextExec })), find(1, "load", 0));
  // Nothing urgent: the load needed soonest in its own network (A/l1 now, A/l2 after 1 ms, B/l2 after 100 ms).
  assert.equal(pick("mema", [find(1, "load", 2), find(0, "load", 2), find(0, "load", 1)], ctx({ nextExec })), find(0, "load", 1));
  assert.equal(pick("mema", [find(1, "load", 2), find(0, "load", 2)], ctx({ nextExec })), find(0, "load", 2));
  // A load that does not fit is passed over for the next soonest.
  assert.equal(pick("mema", [find(1, "load", 2), find(0, "load", 2)], ctx({ nextExec, blocked: [find(0, "load", 2)] })), find(1, "load", 2));
});
