// Builds stdlib/profiles/rpi4.json from EdgeCaffe's description.yaml files (a maintainer's tool, run once; the
// product reads only the JSON): `node --import tsx stdlib/profiles/build-rpi4.ts [PATH/TO/edgecaffe]`.
// Measured per-layer times are kept; the missing ones are estimated from the zoo's FLOPs and bytes with a model
// calibrated on the measured networks, then scaled to each network's mean-execution-time.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { ZOO_NETWORKS } from "../names.ts";
import { zooInfo, zooNodeFacts } from "../zoo/catalog.ts";
import type { DeviceProfile, EstimationModel, NetworkProfile, ProfileEntry } from "./device-profile.ts";

interface YamlLayer {
  id: number;
  name: string;
  partialFileSize: number;
  estimated_time_loading: number;
  estimated_time_execution: number;
  "number-of-paramters": number;
}

interface Row {
  network: string;
  id: number;
  name: string;
  type: string;
  bytes: number;
  parameters: number;
  /** FLOPs, or output elements for layers without arithmetic (dropout, concat). */
  work: number;
  zooWeightsBytes: number;
  loadUs: number;
  execUs: number;
  hasNode: boolean;
}

const here = fileURLToPath(new URL(".", import.meta.url));
const edgecaffe = process.argv[2] ?? join(here, "../../../shared/edgecaffe");
/** Below this much work a layer's time is mostly fixed overhead: it calibrates the overhead, not the slope. */
const SMALL_WORK = 20_000;
/** Networks whose layers EdgeCaffe profiled (the others have all zeros). */
const CALIBRATION = ["agenet", "gendernet", "facenet"];

const median = (values: number[]): number => {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const round3 = (x: number): number => Math.round(x * 1000) / 1000;

function readNetwork(name: string): { yaml: Record<string, unknown>; rows: Row[] } {
  const info = zooInfo(name);
  const yaml = parse(readFileSync(join(edgecaffe, "networks", info.caffeName, "description.yaml"), "utf8")) as Record<string, unknown>;
  const layers = [...((yaml["conv-layers"] as YamlLayer[]) ?? []), ...((yaml["fc-layers"] as YamlLayer[]) ?? [])];
  const facts = zooNodeFacts(name);
  const byLayer = new Map<string, typeof facts>();
  for (const f of facts) byLayer.set(f.caffeLayer, [...(byLayer.get(f.caffeLayer) ?? []), f]);
  const rows = layers.map((l): Row => {
    const nodes = byLayer.get(l.name);
    const main = nodes?.find((n) => n.name === l.name);
    let type = main?.caffeType ?? (l.id === 0 ? "Input" : l.name.endsWith("_split") ? "Split" : "?");
    if (type === "?") throw new Error(`${info.caffeName}: layer '${l.name}' has no zoo node`);
    const flops = nodes?.reduce((a, n) => a + n.flops, 0) ?? 0;
    return {
      network: name,
      id: l.id,
      name: l.name,
      type,
      bytes: l.partialFileSize,
      parameters: l["number-of-paramters"],
      work: flops > 0 ? flops : (main?.outputBytes ?? 0) / 4,
      zooWeightsBytes: nodes?.reduce((a, n) => a + n.weightsBytes, 0) ?? 0,
      loadUs: l.estimated_time_loading,
      execUs: l.estimated_time_execution,
      hasNode: Boolean(main),
    };
  });
  const known = new Set(layers.map((l) => l.name));
  for (const layer of byLayer.keys()) {
    if (!known.has(layer)) throw new Error(`${info.caffeName}: zoo layer '${layer}' is not in description.yaml`);
  }
  return { yaml, rows };
}

function calibrate(rows: Row[]): { model: EstimationModel; scales: Record<string, number> } {
  const measured = rows.filter((r) => CALIBRATION.includes(r.network));
  // Fixed costs: small layers of the batch-1, single-scale network (AgeNet).
  const execOverheadUs = median(measured.filter((r) => r.network === "agenet" && r.work < SMALL_WORK).map((r) => r.execUs));
  const loadOverheadUs = median(measured.filter((r) => r.bytes < 1000).map((r) => r.loadUs));
  const loadUsPerByte = median(measured.filter((r) => r.bytes >= 100_000).map((r) => (r.loadUs - loadOverheadUs) / r.bytes));

  // exec ≈ overhead + scale[network] × perWork[type] × work. AgeNet (batch 1, one scale, the zoo's shapes) sets
  // perWork; GenderNet ran a batch of 10 and FaceNet an image pyramid (use-scales), so their scales are fitted
  // against it, and then all three networks' layers refine perWork.
  const samples = measured.filter((r) => r.work >= SMALL_WORK && r.hasNode);
  const scales: Record<string, number> = Object.fromEntries(CALIBRATION.map((n) => [n, 1]));
  const fitPerWork = (from: Row[]): Record<string, number> => {
    const out: Record<string, number> = {};
    for (const type of new Set(from.map((r) => r.type))) {
      out[type] = median(from.filter((r) => r.type === type).map((r) => (r.execUs - execOverheadUs) / (scales[r.network]! * r.work)));
    }
    return out;
  };
  const anchor = fitPerWork(samples.filter((r) => r.network === "agenet"));
  for (const n of CALIBRATION.filter((n) => n !== "agenet")) {
    const own = samples.filter((r) => r.network === n && anchor[r.type] !== undefined);
    scales[n] = median(own.map((r) => (r.execUs - execOverheadUs) / (anchor[r.type]! * r.work)));
  }
  const perWork = fitPerWork(samples);
  // Types never profiled cost like the elementwise layer they most resemble (per unit of work).
  for (const type of ["Dropout", "Concat", "Softmax", "BatchNorm", "Scale", "Split", "Flatten"]) perWork[type] ??= perWork.ReLU!;
  const model: EstimationModel = {
    execOverheadMs: execOverheadUs / 1000,
    execMsPerWork: Object.fromEntries(Object.entries(perWork).map(([k, v]) => [k, v / 1000])),
    loadOverheadMs: loadOverheadUs / 1000,
    loadMsPerByte: loadUsPerByte / 1000,
    note:
      "Batch 1, single scale, fitted on AgeNet/GenderNet/FaceNet's measured layers (medians). work = FLOPs " +
      "(multiply-add = 2), or output elements for Dropout/Concat. Fitted network scales: " +
      Object.entries(scales).map(([n, s]) => `${n} ${s.toFixed(2)}`).join(", "),
  };
  return { model, scales };
}

function rawExecMs(model: EstimationModel, r: Row): number {
  if (r.type === "Input" || r.type === "Split") return model.execOverheadMs;
  return model.execOverheadMs + model.execMsPerWork[r.type]! * r.work;
}

function build(): DeviceProfile {
  const all = ZOO_NETWORKS.map((n) => ({ name: n, ...readNetwork(n) }));
  const { model, scales } = calibrate(all.flatMap((n) => n.rows));
  const networks: Record<string, NetworkProfile> = {};
  for (const { name, yaml, rows } of all) {
    const info = zooInfo(name);
    const measured = rows.some((r) => r.execUs > 0 || r.loadUs > 0);
    const met = typeof yaml["mean-execution-time"] === "number" ? (yaml["mean-execution-time"] as number) : undefined;
    // Unmeasured networks: the estimates' sum meets mean-execution-time (EdgeCaffe's conditions, batch
    // included); without it, the batch-1 estimate times the prototxt's batch.
    const rawSum = rows.reduce((a, r) => a + rawExecMs(model, r), 0);
    const execScale = measured ? undefined : met !== undefined ? met / rawSum : info.caffeBatch;
    const time = (r: Row): { loadMs: number; execMs: number; estimated: boolean } => {
      if (r.execUs > 0 || r.loadUs > 0) return { loadMs: r.loadUs / 1000, execMs: r.execUs / 1000, estimated: false };
      return {
        loadMs: model.loadOverheadMs + model.loadMsPerByte * r.bytes,
        execMs: rawExecMs(model, r) * (execScale ?? 1),
        estimated: true,
      };
    };
    const maxMemoryMB: Record<string, number> = {};
    for (const [key, value] of Object.entries(yaml)) {
      if (key.startsWith("max-memory-") && typeof value === "number") maxMemoryMB[key.slice("max-memory-".length)] = value;
    }
    const input = rows.find((r) => r.type === "Input");
    const entries: ProfileEntry[] = rows
      .filter((r) => r.type !== "Input")
      .map((r) => {
        const t = time(r);
        return {
          name: r.name,
          // Caffe's Split layers have no ONNX node (ONNX tensors fan out freely): they never match.
          ...(r.type === "Split" ? { nodes: [] } : {}),
          type: r.type,
          loadMs: round3(t.loadMs),
          execMs: round3(t.execMs),
          estimated: t.estimated,
          weightsBytes: r.bytes,
          flops: r.type === "Dropout" || r.type === "Concat" || r.type === "Split" ? 0 : r.work,
        };
      });
    const init = input ? time(input) : undefined;
    networks[name] = {
      caffeName: info.caffeName,
      batch: info.caffeBatch,
      measured,
      ...(met !== undefined ? { meanExecutionMs: met } : {}),
      maxMemoryMB,
      weightsBytes: rows.reduce((a, r) => a + r.bytes, 0),
      ...(execScale !== undefined ? { execScale: Math.round(execScale * 1e6) / 1e6 } : {}),
      // How much slower than the zoo replica (batch 1, one image) these exec times are: fitted for the measured
      // networks, the prototxt's batch for the estimated ones (their mean-execution-time includes it).
      zooScale: Math.round((measured ? scales[name]! : info.caffeBatch) * 1000) / 1000,
      ...(init ? { init: { loadMs: round3(init.loadMs), execMs: round3(init.execMs), estimated: init.estimated } } : {}),
      entries,
    };
  }
  return {
    format: "mema-device-profile/1",
    name: "rpi4",
    description:
      "Raspberry Pi 4 running EdgeCaffe: per-Caffe-layer load and exec times from its description.yaml files " +
      "(measured for AgeNet, GenderNet, FaceNet; estimated for the others, see 'estimation').",
    source: "bacox/edgecaffe networks/*/description.yaml @ a450b96",
    license: "BSD-2-Clause (c) 2020 Bart Cox; see LICENSE.edgecaffe",
    estimation: {
      ...model,
      execOverheadMs: round6(model.execOverheadMs),
      loadOverheadMs: round6(model.loadOverheadMs),
      loadMsPerByte: Number(model.loadMsPerByte.toPrecision(6)),
      execMsPerWork: Object.fromEntries(Object.entries(model.execMsPerWork).map(([k, v]) => [k, Number(v.toPrecision(6))])),
    },
    networks,
  };
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

const profile = build();
const out = join(here, "rpi4.json");
writeFileSync(out, JSON.stringify(profile, null, 1) + "\n");
console.log(`wrote ${out}`);
console.log(profile.estimation!.note);
for (const [name, net] of Object.entries(profile.networks)) {
  const load = net.entries.reduce((a, e) => a + e.loadMs, 0);
  const exec = net.entries.reduce((a, e) => a + e.execMs, 0);
  console.log(
    `${name.padEnd(14)} ${net.measured ? "measured " : "estimated"} load ${load.toFixed(1)} ms exec ${exec.toFixed(1)} ms` +
      (net.meanExecutionMs !== undefined ? ` (mean-execution-time ${net.meanExecutionMs})` : "") +
      (net.execScale !== undefined ? ` scale ${net.execScale}` : ""),
  );
}
