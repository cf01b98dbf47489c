// `--csv`: steps.csv, networks.csv and layers.csv (EdgeCaffe's networkStats and layers.csv in spirit), RFC 4180 quoting.
// steps: every step; networks: one row per network instance; layers: load and exec time per instance and layer.
// A sweep adds the run's settings as leading columns, with `run` (its index) to join the files.
import type { RunReport } from "./types.ts";

export type CsvValue = string | number | boolean | null | undefined;

/** Quotes a field when it holds a comma, a quote, a line break or edge spaces; null/undefined is empty. */
export function csvField(value: CsvValue): string {
  if (value === null || value === undefined) return "";
  const text = typeof value === "number" ? (Number.isFinite(value) ? String(value) : "") : String(value);
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** A CSV document: header line, one line per row, "\n" line ends, a final newline. */
export function toCsv(header: readonly string[], rows: readonly (readonly CsvValue[])[]): string {
  return [header, ...rows].map((row) => row.map(csvField).join(",")).join("\n") + "\n";
}

const RUN_HEADER = ["run", "pipeline", "policy", "baseline", "admission", "memoryBudgetBytes", "workers", "simulated", "seed"];

function runColumns(report: RunReport, index: number): CsvValue[] {
  return [index, report.pipeline, report.policy, report.baseline, report.admission, report.memoryBudgetBytes, report.workers, report.simulated, report.seed];
}

function asList(reports: RunReport | readonly RunReport[]): readonly RunReport[] {
  return Array.isArray(reports) ? reports : [reports as RunReport];
}

/** steps.csv: network,instance,layer,kind,worker,startMs,endMs,bytes,readBytes,resident (run settings first for sweeps). */
export function stepsCsv(reports: RunReport | readonly RunReport[]): string {
  const list = asList(reports);
  const sweep = list.length > 1;
  const header = ["network", "instance", "layer", "kind", "worker", "startMs", "endMs", "bytes", "readBytes", "resident"];
  const rows = list.flatMap((r, i) =>
    r.steps.map((s) => [
      ...(sweep ? runColumns(r, i) : []),
      s.network,
      s.instance,
      s.layer,
      s.kind,
      s.worker,
      s.startMs,
      s.endMs,
      s.bytes,
      s.readBytes,
      s.resident === true,
    ]),
  );
  return toCsv([...(sweep ? RUN_HEADER : []), ...header], rows);
}

/** networks.csv: per instance arrival, start, end, wait, execution (end - start) and response, in ms. */
export function networksCsv(reports: RunReport | readonly RunReport[]): string {
  const list = asList(reports);
  const sweep = list.length > 1;
  const header = [
    "network",
    "instance",
    "arrivalMs",
    "startMs",
    "endMs",
    "waitMs",
    "executionMs",
    "responseMs",
    "outputDigest",
    "top1",
  ];
  const rows = list.flatMap((r, i) =>
    r.networks.map((n) => [
      ...(sweep ? runColumns(r, i) : []),
      n.name,
      n.instance,
      n.arrivalMs,
      n.startMs,
      n.endMs,
      n.waitMs,
      n.endMs - n.startMs,
      n.responseMs,
      n.outputDigest,
      n.top1,
    ]),
  );
  return toCsv([...(sweep ? RUN_HEADER : []), ...header], rows);
}

/** One layer of one network instance, its steps summed (a tiled layer has several loads and execs). */
interface LayerRow {
  network: string;
  instance: number;
  layer: string;
  firstStartMs: number;
  loadMs: number;
  execMs: number;
  loadBytes: number;
  execBytes: number;
}

/** layers.csv: per instance and layer (in the order the layer first ran) its load and exec time and bytes. */
export function layersCsv(reports: RunReport | readonly RunReport[]): string {
  const list = asList(reports);
  const sweep = list.length > 1;
  const header = ["network", "instance", "layerIndex", "layer", "loadMs", "execMs", "loadBytes", "execBytes"];
  const rows = list.flatMap((r, i) => {
    const layers = new Map<string, LayerRow>();
    for (const s of r.steps) {
      if (s.kind !== "load" && s.kind !== "exec") continue;
      const key = JSON.stringify([s.network, s.instance, s.layer]);
      let row = layers.get(key);
      if (!row) {
        row = { network: s.network, instance: s.instance, layer: s.layer, firstStartMs: s.startMs, loadMs: 0, execMs: 0, loadBytes: 0, execBytes: 0 };
        layers.set(key, row);
      }
      row.firstStartMs = Math.min(row.firstStartMs, s.startMs);
      if (s.kind === "load") {
        row.loadMs += s.endMs - s.startMs;
        row.loadBytes += s.bytes;
      } else {
        row.execMs += s.endMs - s.startMs;
        row.execBytes += s.bytes;
      }
    }
    const byInstance = new Map<string, LayerRow[]>();
    for (const row of layers.values()) {
      const key = JSON.stringify([row.network, row.instance]);
      const list = byInstance.get(key);
      if (list) list.push(row);
      else byInstance.set(key, [row]);
    }
    return [...byInstance.values()].flatMap((rowsOfInstance) =>
      // A stable sort keeps the report's order for layers that started at the same moment.
      [...rowsOfInstance]
        .sort((a, b) => a.firstStartMs - b.firstStartMs)
        .map((row, index) => [
          ...(sweep ? runColumns(r, i) : []),
          row.network,
          row.instance,
          index,
          row.layer,
          row.loadMs,
          row.execMs,
          row.loadBytes,
          row.execBytes,
        ]),
    );
  });
  return toCsv([...(sweep ? RUN_HEADER : []), ...header], rows);
}
