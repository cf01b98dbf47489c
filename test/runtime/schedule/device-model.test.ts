// The simulator's device (runtime/schedule/device-model.ts): loads read at the storage bandwidth, which
// concurrent loads share; steps share the CPU quota, each using at most one core; a device profile's memory
// bounds the budget.
import { test } from "node:test";
import assert from "node:assert/strict";
import { SharedDevice } from "../../../runtime/schedule/device-model.ts";
import { chainNetwork } from "../../../runtime/schedule/network.ts";
import { simulate } from "../../../runtime/schedule/simulate.ts";
import { policies } from "../../../stdlib/policies/index.ts";

/** Runs the device to the end; each step's end time. */
function finish(device: SharedDevice): Map<number, number> {
  const ends = new Map<number, number>();
  let now = 0;
  for (let dt = device.nextEventMs(); dt !== Infinity; dt = device.nextEventMs()) {
    now += dt;
    for (const id of device.advance(dt)) ends.set(id, now);
  }
  return ends;
}

test("concurrent reads share the bandwidth; a read then its computing", () => {
  const device = new SharedDevice({ readBytesPerSecond: 1000 });
  device.start(1, 1000, 0); // 1 s alone
  device.start(2, 500, 100); // shares the bandwidth: 500 bytes at 500 B/s, then 100 ms of computing
  const ends = finish(device);
  assert.ok(Math.abs(ends.get(2)! - 1100) < 1e-6, `step 2 ends at ${ends.get(2)}`);
  // Step 1: 500 bytes in the first second, the other 500 alone at 1000 B/s.
  assert.ok(Math.abs(ends.get(1)! - 1500) < 1e-6, `step 1 ends at ${ends.get(1)}`);
});

test("a CPU quota: one step alone takes its measured time; two share the quota", () => {
  const alone = new SharedDevice({ cpus: 0.5 });
  alone.start(1, 0, 100);
  assert.ok(Math.abs(finish(alone).get(1)! - 100) < 1e-6);
  const two = new SharedDevice({ cpus: 0.5 });
  two.start(1, 0, 100);
  two.start(2, 0, 100);
  const ends = finish(two);
  assert.ok(Math.abs(ends.get(1)! - 200) < 1e-6 && Math.abs(ends.get(2)! - 200) < 1e-6, `ends ${[...ends.values()]}`);
  const cores = new SharedDevice({ cpus: 2 });
  cores.start(1, 0, 100);
  cores.start(2, 0, 100);
  assert.ok([...finish(cores).values()].every((t) => Math.abs(t - 100) < 1e-6), "two cores: no sharing");
});

test("a simulated run on a device: loads read at its bandwidth, and no run reads faster than it can", () => {
  const layer = (weightsBytes: number) => ({ weightsBytes, activationBytes: 10, loadMs: 1, execMs: 5 });
  const scenario = {
    pipeline: "device",
    networks: [chainNetwork("a", [layer(50_000), layer(50_000)]), chainNetwork("b", [layer(100_000)])],
    arrivals: { gated: true, absolute: false, arrivals: [{ networks: [0, 1], gapMs: 0 }] },
  };
  const report = simulate(scenario, { policy: policies.partial, workers: 2, memoryBudgetBytes: null, device: { readBytesPerSecond: 100_000 } });
  // 200 kB at 100 kB/s: at least 2 s, whatever the overlap.
  assert.ok(report.makespanMs >= 2000, `makespan ${report.makespanMs}`);
  assert.ok(report.lowerBoundMs >= 2000, "the bound knows the bandwidth");
  assert.equal(report.readBytes, 200_000);
  const loads = report.steps.filter((s) => s.kind === "load");
  assert.ok(loads.every((s) => s.endMs - s.startMs >= 500), "every load takes its bytes' time at least");
});

test("a device of known memory: no budget beyond it, and its memory as the budget when none is given", async () => {
  const { simulatePipeline } = await import("../../../runtime/schedule/pipeline.ts");
  const { compile } = await import("../../../lang/index.ts");
  const { plan } = compile("pipeline p < model agenet; memory unlimited; policy partial; >", { file: "p.mema" });
  const pipeline = plan!.pipelines[0]!;
  const resolver = {
    device: { memoryBytes: 1_000_000 },
    network: () => chainNetwork("agenet", [{ weightsBytes: 400_000, activationBytes: 10, loadMs: 1, execMs: 1 }]),
  };
  const options = { policies: (name: string) => (name === "partial" ? policies.partial : undefined) };
  const [unbudgeted] = simulatePipeline(pipeline, resolver, options);
  assert.equal(unbudgeted!.memoryBudgetBytes, 1_000_000);
  assert.throws(() => simulatePipeline(pipeline, resolver, options, [{ policy: "partial", workers: 1, memoryBytes: 2_000_000 }]), /does not fit the device's 1000000 bytes/);
});
