// An exec's workspace is reserved in the ledger for the exec's duration: held while it runs, back after it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { buildStepGraph } from "../../../runtime/schedule/graph.ts";
import { chainNetwork } from "../../../runtime/schedule/network.ts";
import { simulate } from "../../../runtime/schedule/simulate.ts";
import { policies } from "../../../stdlib/policies/index.ts";

const MB = 1_000_000;
const net = (name: string, workspaceBytes: number) => {
  const spec = chainNetwork(name, [
    { weightsBytes: 4 * MB, activationBytes: 1 * MB, loadMs: 2, execMs: 5 },
    { weightsBytes: 2 * MB, activationBytes: 1 * MB, loadMs: 1, execMs: 5 },
  ], { inputBytes: MB });
  spec.layers[0]!.execWorkspaceBytes = workspaceBytes;
  return spec;
};

test("the exec reserves its workspace and the free right after it gives it back", () => {
  const graph = buildStepGraph([net("a", 3 * MB)], [[0]], { mode: "partial", chain: false });
  const exec = graph.steps.find((s) => s.kind === "exec" && s.layer === 0)!;
  assert.equal(exec.reserveBytes, 4 * MB);
  const free = graph.steps.find((s) => s.kind === "free" && s.layer === 0)!;
  assert.ok(free.deps.includes(exec.id));
  assert.ok(free.releases.some((r) => r.stepId === exec.id && r.bytes === 3 * MB));
  // One step at a time, the most held is at exec 0: input + its weights, output and workspace.
  assert.equal(Math.max(...graph.units[0]!.peakBytes), MB + 4 * MB + MB + 3 * MB);
  const bulk = buildStepGraph([net("a", 3 * MB)], [[0]], { mode: "bulk", chain: false });
  assert.equal(bulk.steps.find((s) => s.kind === "exec")!.reserveBytes, 4 * MB);
});

test("under a budget the ledger counts workspaces and stays within it, for every policy", () => {
  const scenario = {
    pipeline: "w",
    networks: [net("a", 3 * MB), net("b", 5 * MB)],
    arrivals: { gated: true, absolute: false, arrivals: [{ networks: [0, 1], gapMs: 0 }, { networks: [0, 1], gapMs: 0 }] },
  };
  for (const policy of ["mema", "partial", "masa", "linear", "bulk"] as const) {
    const report = simulate(scenario, { policy: policies[policy], workers: 2, memoryBudgetBytes: 13 * MB });
    assert.ok(report.peakAccountedBytes <= 13 * MB, `${policy}: ${report.peakAccountedBytes}`);
    assert.ok(report.peakAccountedBytes >= MB + 4 * MB + MB + 5 * MB, `${policy} accounts b's workspace: ${report.peakAccountedBytes}`);
  }
});
