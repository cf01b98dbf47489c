// A policy written outside stdlib (the README's example) runs through the same engine, and a policy that
// idles while steps wait, or picks a step that is not ready, is reported instead of hanging.
import { test } from "node:test";
import assert from "node:assert/strict";
import { chainNetwork, compile, extendCatalog, type Plugins, type Policy, run, simulate, stdlib } from "../../../index.ts";

function fewestLayersFirst(): Policy {
  return {
    name: "fewest-layers-first",
    graph: "partial",
    chain: false,
    lanes: (workers) => Array.from({ length: workers }, () => ({ pools: [0] })),
    pick(ready, _lane, ctx) {
      const size = (i: number) => ctx.graph.networks[ctx.graph.instances[i]!.network]!.spec.layers.length;
      const fits = ready.filter((s) => ctx.fits(s));
      return fits.find((s) => s.kind === "exec") ?? fits.sort((a, b) => size(a.instance) - size(b.instance) || a.taskId - b.taskId)[0] ?? null;
    },
  };
}

const layer = { weightsBytes: 100, activationBytes: 10, loadMs: 2, execMs: 3 };
const scenario = {
  pipeline: "user",
  networks: [chainNetwork("long", [layer, layer, layer, layer]), chainNetwork("short", [layer])],
  arrivals: { gated: false, absolute: false, arrivals: [{ networks: [0, 1], gapMs: 0 }] },
};

test("a user policy runs: the short network's load goes first", () => {
  const report = simulate(scenario, { policy: fewestLayersFirst, workers: 1, memoryBudgetBytes: 1000 });
  assert.equal(report.policy, "fewest-layers-first");
  const loads = report.steps.filter((s) => s.kind === "load");
  assert.equal(loads[0]!.network, "short");
  assert.ok(report.peakAccountedBytes <= 1000);
});

test("a policy that idles or picks what is not ready is reported", () => {
  const idle: Policy = { ...fewestLayersFirst(), name: "idle", pick: () => null };
  assert.throws(() => simulate(scenario, { policy: idle, workers: 1, memoryBudgetBytes: null }), /policy idle cannot progress at 0 ms.*waiting: init long#0/);
  const cheat: Policy = { ...fewestLayersFirst(), name: "cheat", pick: (_ready, _lane, ctx) => ctx.graph.steps.find((s) => s.kind === "exec")! };
  assert.throws(() => simulate(scenario, { policy: cheat, workers: 1, memoryBudgetBytes: null }), /policy cheat picked step \d+, which is not ready/);
});

test("the ledger is the only gate: a policy that ignores ctx.fits is refused before it passes the budget", () => {
  // Four lines that load ahead regardless of memory: before issue 9 this held 2420 accounted bytes on 1000.
  const greedy: Policy = { ...fewestLayersFirst(), name: "greedy", pick: (ready) => ready.find((s) => s.kind === "load") ?? ready[0] ?? null };
  const big = { ...layer, weightsBytes: 300 };
  const many = {
    pipeline: "greedy",
    networks: Array.from({ length: 4 }, (_, i) => chainNetwork(`n${i}`, [big, big, big, big])),
    arrivals: { gated: false, absolute: false, arrivals: [{ networks: [0, 1, 2, 3], gapMs: 0 }] },
  };
  assert.throws(
    () => simulate(many, { policy: () => greedy, workers: 2, memoryBudgetBytes: 1000 }),
    (e: Error & { code?: string }) =>
      e.name === "SchedulingError" && e.code === "E_NOT_ADMITTED" &&
      /^policy greedy picked load n\d#0\/l\d \(300 bytes\) at \d+ ms, which the ledger does not admit \(\d+ of 1000 bytes held\)/.test(e.message),
  );
  // The same policy within a budget it cannot pass, and without one, runs.
  assert.ok(simulate(many, { policy: () => greedy, workers: 2, memoryBudgetBytes: 100_000 }).peakAccountedBytes <= 100_000);
  simulate(many, { policy: () => greedy, workers: 2, memoryBudgetBytes: null });
});

test("run() takes the user's policy through its plugins, next to stdlib's, from a plan compiled with the name known", async () => {
  const { plan, diagnostics } = compile("pipeline u < model agenet; model gendernet; memory 512MB; policy [fewest-layers-first, linear]; workers 1; >", {
    catalog: extendCatalog({ policies: ["fewest-layers-first"] }),
  });
  assert.ok(plan, diagnostics.map((d) => d.message).join("; "));
  const asked: string[] = [];
  const plugins: Plugins = {
    ...stdlib,
    policyByName: (name) => (asked.push(name), name === "fewest-layers-first" ? fewestLayersFirst : stdlib.policyByName(name)),
  };
  const reports = await run(plan, { simulate: true, plugins });
  assert.deepEqual(reports.map((r) => r.policy), ["fewest-layers-first", "linear"]);
  assert.deepEqual([...new Set(asked)], ["fewest-layers-first", "linear"]);
  // Without them, stdlib's plug-ins know no such policy.
  await assert.rejects(run(plan, { simulate: true }), /fewest-layers-first/);
});
