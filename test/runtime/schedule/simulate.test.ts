// The simulator on the rpi4 profile and the zoo: deterministic reports, refusals that name what does not
// fit, tiling, EdgeCaffe's own admission (quirks included) next to the ledger, and the report's shape.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { PipelinePlan } from "../../../lang/plan.ts";
import { toJson } from "../../../runtime/report/json.ts";
import { SchedulingError } from "../../../runtime/schedule/engine.ts";
import { pipelineScenario, simulatePipeline } from "../../../runtime/schedule/pipeline.ts";
import { profiledResolver } from "../../../runtime/schedule/profiled-networks.ts";
import { simulate } from "../../../runtime/schedule/simulate.ts";
import { policies, policyByName } from "../../../stdlib/policies/index.ts";
import { builtinProfile } from "../../../stdlib/profiles/builtin.ts";
import { stdlib } from "../../../stdlib/index.ts";

const resolver = profiledResolver(builtinProfile("rpi4"), await stdlib.simulation());
const zoo = (name: string) => ({ name, source: { kind: "zoo" as const, network: name }, shapes: {}, input: { kind: "synthetic" as const, seed: 0 } });
const pipeline = (names: string[], arrivals: PipelinePlan["arrivals"]): PipelinePlan => ({
  name: "t",
  models: names.map(zoo),
  arrivals,
  sweep: { memoryBytes: [512e6], policy: ["mema"], workers: [2] },
  runs: [{ memoryBytes: 512e6, policy: "mema", workers: 2 }],
  session: {},
});
const memA = pipeline(["agenet", "gendernet", "facenet", "sos", "sos_googlenet"], { kind: "poisson", count: 12, meanMs: 3000, seed: 5, pick: { count: 2, seed: 5 } });

test("same plan, profile and seed: byte-identical JSON; another seed: another run", () => {
  const run = (seed: number) => toJson(simulatePipeline(memA, resolver, { seed, policies: policyByName }));
  assert.equal(run(1), run(1));
  assert.notEqual(run(1), run(2));
});

test("the report: networks with arrival/start/end/wait/response, steps of every kind, memory within the budget", () => {
  const [report] = simulatePipeline(memA, resolver, { policies: policyByName });
  assert.ok(report);
  assert.equal(report.simulated, true);
  assert.equal(report.profile, "rpi4");
  assert.equal(report.networks.length, 24);
  for (const n of report.networks) {
    assert.ok(Math.abs(n.waitMs - (n.startMs - n.arrivalMs)) < 1e-6 && Math.abs(n.responseMs - (n.endMs - n.arrivalMs)) < 1e-6);
  }
  assert.deepEqual(new Set(report.steps.map((s) => s.kind)), new Set(["init", "load", "exec", "free"]));
  assert.ok(report.peakAccountedBytes <= 512e6 && report.peakAccountedBytes > 0);
  assert.ok(report.memory.every((m) => m.accountedBytes <= 512e6));
  assert.ok(report.makespanMs >= report.lowerBoundMs && report.lowerBoundMs > 0);
  assert.ok(report.p95ResponseMs >= report.meanResponseMs * 0.5);
  // Zoo layers carry the profile's times: FaceNet's measured exec dominates its response.
  const face = report.networks.filter((n) => n.name === "facenet");
  assert.ok(face.every((n) => n.responseMs > 20_000), "FaceNet's measured layers take ~28 s on the Pi");
});

test("a layer larger than the budget is tiled; a scenario that cannot fit even tiled is refused by name", () => {
  const objectnet = pipelineScenario(pipeline(["objectnet"], { kind: "batch", rounds: 1, gapMs: 0 }), resolver);
  const run = (budget: number, policy: "mema" | "bulk" = "mema") => simulate(objectnet, { policy: policies[policy], workers: 2, memoryBudgetBytes: budget, tile: resolver.tile });
  const tiled = run(300e6);
  assert.ok(tiled.steps.some((s) => s.layer.startsWith("fc6#")), "fc6 (411 MB) cut into tiles");
  assert.ok(tiled.peakAccountedBytes <= 300e6);
  assert.throws(() => run(300e6, "bulk"), (e: unknown) => e instanceof SchedulingError && e.code === "E_TOO_BIG" && /objectnet.*whole network.*(59\d|6\d\d)\d{6} bytes.*300000000/.test(e.message));
  assert.throws(
    () => simulate(objectnet, { policy: policies.mema, workers: 2, memoryBudgetBytes: 300e6 }),
    /network objectnet, exec of layer fc6 \(layer weights 411058176 bytes\): policy mema needs \d+ bytes at that step, more than the budget of 300000000 bytes$/,
  );
});

test("EdgeCaffe admission reproduces its quirks next to the ledger: a lone network passes the budget", () => {
  const large = pipelineScenario(pipeline(["objectnet", "emotionnet", "memnet"], { kind: "batch", rounds: 2, gapMs: 0 }), resolver);
  const edge = simulate(large, { policy: policies.masa, workers: 2, memoryBudgetBytes: 512e6, admission: "edgecaffe" });
  assert.equal(edge.admission, "edgecaffe");
  assert.ok(edge.peakAccountedBytes > 512e6, `EdgeCaffe's MASA admits ObjectNet (1700 MB declared) alone and holds ${edge.peakAccountedBytes} bytes`);
  const ledger = simulate(large, { policy: policies.masa, workers: 2, memoryBudgetBytes: 512e6, tile: resolver.tile });
  assert.ok(ledger.peakAccountedBytes <= 512e6);
});

test("mema beats EdgeCaffe's policies on the MemA networks under a tight budget", () => {
  const scenario = pipelineScenario(pipeline(["agenet", "gendernet", "facenet", "sos", "sos_googlenet"], { kind: "batch", rounds: 3, gapMs: 0 }), resolver);
  const makespan = (policy: keyof typeof policies) => simulate(scenario, { policy: policies[policy], workers: 2, memoryBudgetBytes: 200e6, tile: resolver.tile }).makespanMs;
  const ours = makespan("mema");
  for (const other of ["linear", "partial", "execprio", "execprio-inter", "masa"] as const) assert.ok(ours <= makespan(other), `mema ${ours} vs ${other} ${makespan(other)}`);
});
