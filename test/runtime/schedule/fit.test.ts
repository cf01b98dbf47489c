// The fitting loop (runtime/schedule/fit.ts), shared by the simulator and real runs: it asks for each tile
// explicitly, goes on with what it is given, and refuses by name what no tiling can fit.
import { test } from "node:test";
import assert from "node:assert/strict";
import { SchedulingError } from "../../../runtime/schedule/engine.ts";
import { fitAsync, fitNow, fitting, type TileAsk } from "../../../runtime/schedule/fit.ts";
import { chainNetwork, type NetworkSpec } from "../../../runtime/schedule/network.ts";
import { prepareRun } from "../../../runtime/schedule/simulate.ts";
import { policies } from "../../../stdlib/policies/index.ts";

const layer = (weightsBytes: number) => ({ weightsBytes, activationBytes: 10, loadMs: 1, execMs: 1 });
const small = chainNetwork("small", [layer(100), layer(200)], { inputBytes: 10 });
const big = chainNetwork("big", [layer(100), layer(5000), layer(100)], { inputBytes: 10 });
const arrivals = { gated: false, absolute: false, arrivals: [{ networks: [0, 1], gapMs: 0 }] };

/** Cuts `ask.layer` into equal chain tiles of at most `ask.capBytes` (null when it is not larger). */
function tileChain({ spec, layer: index, capBytes }: TileAsk): NetworkSpec | null {
  const cut = spec.layers[index]!;
  if (cut.weightsBytes <= capBytes) return null;
  const count = Math.ceil(cut.weightsBytes / capBytes);
  const tiles = Array.from({ length: count }, (_, t) => layer(Math.ceil(cut.weightsBytes / count) - (t === count - 1 ? count * Math.ceil(cut.weightsBytes / count) - cut.weightsBytes : 0)));
  const layers = [...spec.layers.slice(0, index).map((l) => layer(l.weightsBytes)), ...tiles, ...spec.layers.slice(index + 1).map((l) => layer(l.weightsBytes))];
  return chainNetwork(spec.name, layers, { inputBytes: spec.inputBytes });
}

test("the loop yields the layer that does not fit with the cap that lets it fit, and goes on with the tiled network", () => {
  const loop = fitting([small, big], arrivals, policies.linear(), { memoryBudgetBytes: 2000, tiles: true });
  const first = loop.next();
  assert.equal(first.done, false);
  const ask = first.value as TileAsk;
  assert.equal(ask.network, 1);
  assert.equal(ask.layer, 1);
  assert.equal(ask.spec, big);
  assert.ok(ask.capBytes > 0 && ask.capBytes < 2000, `cap ${ask.capBytes}`);
  const last = loop.next(tileChain(ask));
  assert.equal(last.done, true);
  const fitted = last.value as { networks: NetworkSpec[] };
  assert.equal(fitted.networks[0], small, "the network that fits is untouched");
  assert.ok(Math.max(...fitted.networks[1]!.layers.map((l) => l.weightsBytes)) <= ask.capBytes);
  assert.equal(fitted.networks[1]!.layers.reduce((n, l) => n + l.weightsBytes, 0), 5200, "the tiles hold the layer's weights");
});

test("answered null, the scenario is refused 'even tiled', naming the network, the layer and the bytes", () => {
  const loop = fitting([small, big], arrivals, policies.linear(), { memoryBudgetBytes: 2000, tiles: true });
  loop.next();
  assert.throws(
    () => loop.next(null),
    (e: unknown) => e instanceof SchedulingError && e.code === "E_TOO_BIG" && /^network big, (load|exec) of layer l1 \(layer weights 5000 bytes\): policy linear needs \d+ bytes at that step, more than the budget of 2000 bytes even tiled$/.test(e.message),
  );
});

test("without a tiler, or at a step tiling cannot help (whole networks), nothing is asked", () => {
  assert.throws(() => fitting([small, big], arrivals, policies.linear(), { memoryBudgetBytes: 2000, tiles: false }).next(), /layer weights 5000 bytes\).* bytes$/);
  let asked = 0;
  assert.throws(
    () => fitNow([small, big], arrivals, policies.bulk(), { memoryBudgetBytes: 2000 }, () => (asked++, null)),
    /network big, (load|exec) of the whole network: policy bulk needs \d+ bytes .* \(it loads whole networks; a layer-wise policy such as partial or mema can run this\)$/,
  );
  assert.equal(asked, 0);
  // No budget, or EdgeCaffe's admission: nothing is fitted.
  assert.equal(fitNow([big], { ...arrivals, arrivals: [{ networks: [0], gapMs: 0 }] }, policies.linear(), { memoryBudgetBytes: null }, () => assert.fail("asked")).networks[0], big);
  assert.equal(fitNow([big], { ...arrivals, arrivals: [{ networks: [0], gapMs: 0 }] }, policies.linear(), { memoryBudgetBytes: 2000, admission: "edgecaffe" }, () => assert.fail("asked")).networks[0], big);
});

test("at most maxTiles tiles are asked for", () => {
  let asked = 0;
  // A tiler that returns a new, no smaller network each time would loop for ever without the limit.
  const same = (ask: TileAsk) => (asked++, { ...ask.spec });
  assert.throws(() => fitNow([small, big], arrivals, policies.linear(), { memoryBudgetBytes: 2000, maxTiles: 3 }, same), /even tiled$/);
  assert.equal(asked, 3);
});

test("the asynchronous loop asks the same and fits the same as the synchronous one (the simulator's prepareRun)", async () => {
  const asksNow: TileAsk[] = [];
  const asksLater: TileAsk[] = [];
  for (const policy of ["linear", "partial", "mema", "masa"] as const) {
    const options = { memoryBudgetBytes: 1500, sessionOverheadBytes: 16 };
    const now = fitNow([small, big, big], { ...arrivals, arrivals: [{ networks: [0, 1, 2], gapMs: 0 }] }, policies[policy](), options, (ask) => (asksNow.push(ask), tileChain(ask)));
    const later = await fitAsync([small, big, big], { ...arrivals, arrivals: [{ networks: [0, 1, 2], gapMs: 0 }] }, policies[policy](), options, async (ask) => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      asksLater.push(ask);
      return tileChain(ask);
    });
    assert.deepEqual(later.networks, now.networks, policy);
    assert.equal(later.graph.steps.length, now.graph.steps.length, policy);
    const prepared = prepareRun({ pipeline: "p", networks: [small, big, big], arrivals: { ...arrivals, arrivals: [{ networks: [0, 1, 2], gapMs: 0 }] } }, {
      policy: policies[policy],
      workers: 2,
      tile: (spec, layerIndex, capBytes) => tileChain({ network: -1, spec, layer: layerIndex, capBytes }),
      ...options,
    });
    assert.deepEqual(prepared.networks, now.networks, policy);
  }
  assert.deepEqual(asksLater, asksNow);
  assert.ok(asksNow.length >= 8, `both bigs tiled for each policy (${asksNow.length} asks)`);
});
