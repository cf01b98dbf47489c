// The rpi4 preset's CPU quota: `mema profile NET --emulate cpus=C,cold=false` for several C, each layer's exec
// time against rpi4-zoo's (matched by node names, stdlib/profiles/README.md), and the quota whose median ratio
// comes closest to 1 with the most layers within 2x. Needs what --emulate needs (root, cgroups).
// Run: node --import tsx bench/emulate-cpus.ts [--cpus 0.2,0.3] [--nets agenet,facenet] [--runs N] [--repeat N] [--write]
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus as machineCpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { sameRuntimeCommand } from "../runtime/host/emulate.ts";
import { median } from "../runtime/model/profile.ts";
import { DEVICE_PRESETS } from "../stdlib/profiles/devices.ts";
import { layerTimes, loadDeviceProfile, type MeasuredLayerProfile } from "../stdlib/profiles/index.ts";

const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const quotas = (flag("cpus") ?? "0.2,0.25,0.3,0.35,0.4,0.45,0.5").split(",").map(Number);
const nets = (flag("nets") ?? "agenet,gendernet,facenet,sos_googlenet").split(",");
const runs = Number(flag("runs") ?? 3);
// The whole grid again, in turn, so that a change in the machine's load hits every quota alike.
const repeat = Number(flag("repeat") ?? 1);
const reference = loadDeviceProfile(DEVICE_PRESETS.rpi4!.profile);
const entry = fileURLToPath(new URL("../bin/mema.ts", import.meta.url));
const out = mkdtempSync(join(tmpdir(), "mema-emulate-cpus-"));

interface LayerRatio { net: string; layer: string; ms: number; rpi4Ms: number; ratio: number }

/** One `mema profile` under the quota (undefined: no quota), its layers against the reference. */
function profileUnder(net: string, cpus: number | undefined): LayerRatio[] {
  const file = join(out, `${net}-${cpus ?? "none"}.json`);
  const emulate = cpus === undefined ? "cold=false" : `cpus=${cpus},cold=false`;
  const command = sameRuntimeCommand(entry, ["profile", net, "--runs", String(runs), "--out", file, "--emulate", emulate]);
  const result = spawnSync(command[0]!, command.slice(1), { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`${command.join(" ")}: exit ${result.status}\n${result.stderr}`);
  const profile = JSON.parse(readFileSync(file, "utf8")) as MeasuredLayerProfile;
  const ratios: LayerRatio[] = [];
  for (const layer of profile.layers) {
    const rpi4Ms = layerTimes(reference, net, layer.nodes).execMs;
    // Layers no reference entry covers (their Caffe layers have no time) cannot be compared.
    if (!(rpi4Ms > 0)) continue;
    ratios.push({ net, layer: layer.name, ms: layer.execMs!, rpi4Ms, ratio: layer.execMs! / rpi4Ms });
  }
  return ratios;
}

const points: { cpus: number | undefined; ratios: LayerRatio[] }[] = [...quotas, undefined].map((cpus) => ({ cpus, ratios: [] }));
const samples = new Map<string, LayerRatio[]>(); // per point, network and layer: one per repetition
for (let r = 0; r < repeat; r++) {
  for (const net of nets) {
    for (const point of points) {
      const started = performance.now();
      for (const ratio of profileUnder(net, point.cpus)) {
        const key = `${point.cpus}/${net}/${ratio.layer}`;
        samples.set(key, [...(samples.get(key) ?? []), ratio]);
      }
      console.error(`${r + 1}/${repeat} ${net} cpus=${point.cpus ?? "none"}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
    }
  }
}
// Each layer's time at a point: the median over the repetitions.
for (const point of points) {
  for (const [key, list] of samples) {
    if (!key.startsWith(`${point.cpus}/`)) continue;
    const ms = median(list.map((x) => x.ms));
    point.ratios.push({ ...list[0]!, ms, ratio: ms / list[0]!.rpi4Ms });
  }
}
rmSync(out, { recursive: true, force: true });

const within2x = (r: LayerRatio[]) => r.filter((x) => x.ratio >= 0.5 && x.ratio <= 2).length;
const summary = points.map((p) => ({
  cpus: p.cpus,
  layers: p.ratios.length,
  median: median(p.ratios.map((r) => r.ratio)),
  within: within2x(p.ratios),
  perNet: nets.map((n) => median(p.ratios.filter((r) => r.net === n).map((r) => r.ratio))),
  sumRatio: p.ratios.reduce((s, r) => s + r.ms, 0) / p.ratios.reduce((s, r) => s + r.rpi4Ms, 0),
}));
const quotaPoints = summary.filter((s) => s.cpus !== undefined);
// Most layers within 2x; among those, the median closest to 1 (as a factor either way).
const best = [...quotaPoints].sort((a, b) => b.within - a.within || Math.abs(Math.log(a.median)) - Math.abs(Math.log(b.median)))[0]!;
const closest = [...quotaPoints].sort((a, b) => Math.abs(Math.log(a.median)) - Math.abs(Math.log(b.median)))[0]!;

const row = (s: (typeof summary)[number]) =>
  `| ${s.cpus ?? "none"} | ${s.layers} | ${s.median.toFixed(2)}x | ${s.within} (${Math.round((100 * s.within) / s.layers)}%) | ${s.perNet.map((m) => `${m.toFixed(2)}x`).join(" | ")} | ${s.sumRatio.toFixed(2)}x |`;
const bestRatios = points.find((p) => p.cpus === best.cpus)!.ratios;
const report = `# bench/emulate-cpus: the rpi4 preset's CPU quota

Measured ${new Date().toISOString().slice(0, 16)} on ${machineCpus()[0]?.model.trim() ?? "?"} (${machineCpus().length} cores), ${process.release.name} ${process.versions.node}; load average at the end ${loadavg().map((l) => l.toFixed(1)).join(" ")}.
Each cell: \`mema profile NET --runs ${runs} --emulate cpus=C,cold=false\` (median of ${runs} runs per layer after a warm-up; one intra-op thread),
the whole grid ${repeat} time${repeat === 1 ? "" : "s"} in turn, each layer's time the median over those,
each layer's exec time divided by \`rpi4-zoo\`'s for the same ONNX nodes; layers that rpi4-zoo gives no time are left out.
"within 2x": layers whose ratio is between 0.5 and 2. Run: \`node --import tsx bench/emulate-cpus.ts --cpus ${quotas.join(",")} --runs ${runs} --repeat ${repeat} --write\`.

| cpus | layers | median ratio | within 2x | ${nets.join(" | ")} | Σ exec / Σ rpi4-zoo |
|--:|--:|--:|--:|${nets.map(() => "--:|").join("")}--:|
${summary.map(row).join("\n")}

Most layers within 2x, then the median closest to 1: **cpus=${best.cpus}** (median ${best.median.toFixed(2)}x, ${best.within} of ${best.layers} layers within 2x).
Median closest to 1: cpus=${closest.cpus} (${closest.median.toFixed(2)}x, ${closest.within} within 2x).

Per layer at cpus=${best.cpus} (ms here, ms in rpi4-zoo, ratio):

| network | layer | ms | rpi4-zoo ms | ratio |
|---|---|--:|--:|--:|
${bestRatios.map((r) => `| ${r.net} | ${r.layer} | ${r.ms.toFixed(2)} | ${r.rpi4Ms.toFixed(2)} | ${r.ratio.toFixed(2)}x |`).join("\n")}
`;
console.log(report);
if (args.includes("--write")) writeFileSync(new URL("./results/emulate-cpus.md", import.meta.url), report);
