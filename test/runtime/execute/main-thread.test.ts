// A real run's main thread only dispatches: its memory before the first load counts against the device
// (the report's baselineRssBytes), so it must not load what only the workers, a split-cache miss, an image
// input or the --baseline loop need. Measured under tsx (runtime/execute/README.md, "What the process costs
// before its first load"):
// onnxruntime-node ~12-14 MiB, jimp ~20 MiB, protobuf + onnx-buf ~15 MiB, chevrotain's entry ~53 MiB (its bundle ~10).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { currentRuntime } from "../../../runtime/platform.ts";
import { convLayerCount as scheduleConvLayerCount } from "../../../runtime/schedule/profiled-networks.ts";
import { convLayerCount } from "../../../runtime/execute/layer-specs.ts";
import type { LayerInfo } from "../../../runtime/model/types.ts";
import { skipTest } from "../../skip.ts";

const root = fileURLToPath(new URL("../../../", import.meta.url));

/** Packages reached from `entries` by static value imports (`import type` and `await import()` are not), each with one chain. */
function staticPackages(entries: string[]): Map<string, string> {
  const parent = new Map<string, string | null>();
  const queue = entries.map((e) => resolve(root, e));
  for (const file of queue) parent.set(file, null);
  const chain = (file: string) => {
    const files: string[] = [];
    for (let f: string | null | undefined = file; f; f = parent.get(f)) files.unshift(relative(root, f));
    return files.join(" > ");
  };
  const packages = new Map<string, string>();
  while (queue.length > 0) {
    const file = queue.shift()!;
    const text = readFileSync(file, "utf8");
    const specifiers: string[] = [];
    for (const m of text.matchAll(/^\s*(?:import|export)\s+(type\s+)?([^;]*?)\s+from\s+["']([^"']+)["']/gm)) {
      if (m[1]) continue;
      const braces = /^\{([\s\S]*)\}$/.exec(m[2]!.trim());
      if (braces && braces[1]!.split(",").every((part) => part.trim() === "" || /^type\s/.test(part.trim()))) continue;
      specifiers.push(m[3]!);
    }
    for (const m of text.matchAll(/^\s*import\s+["']([^"']+)["']/gm)) specifiers.push(m[1]!);
    for (const spec of specifiers) {
      if (spec.startsWith(".")) {
        const target = resolve(dirname(file), spec);
        if (!parent.has(target) && existsSync(target)) {
          parent.set(target, file);
          queue.push(target);
        }
      } else if (!spec.startsWith("node:")) {
        const name = spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0]!;
        if (!packages.has(name)) packages.set(name, chain(file));
      }
    }
  }
  return packages;
}

test("what `mema run` imports on its main thread reaches none of onnxruntime, jimp, protobuf or chevrotain's entry", () => {
  const reached = staticPackages(["bin/mema.ts", "cli/main.ts", "cli/run.ts", "runtime/execute/cli.ts", "runtime/execute/real-run.ts"]);
  for (const heavy of ["onnxruntime-node", "jimp", "@bufbuild/protobuf", "onnx-buf", "chevrotain", "lodash-es"]) {
    assert.equal(reached.get(heavy), undefined, `${heavy} is imported statically: ${reached.get(heavy)}`);
  }
  // The walk does see packages: the language's YAML/JSON support is still imported eagerly.
  assert.ok(reached.has("yaml"), [...reached.keys()].join(", "));
});

test("preparing a real run whose splits are cached does not load onnxruntime into the process", (t) => {
  if (!existsSync("/proc/self/maps")) return skipTest(t, "needs /proc/self/maps");
  const child = join(root, "test/runtime/execute/main-thread-child.ts");
  const runtime = currentRuntime();
  const argv =
    runtime === "node" ? [process.execPath, "--import", "tsx", child] : runtime === "bun" ? [process.execPath, child] : [process.execPath, "run", "-A", child];
  const prepare = () => {
    const r = spawnSync(argv[0]!, argv.slice(1), { cwd: root, encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout.trim().split("\n").at(-1)!) as { layers: number[]; onnxruntimeMapped: boolean };
  };
  prepare(); // fills the split cache if this machine has not split these models yet
  const warm = prepare();
  assert.ok(warm.layers.every((n) => n > 1), `split into layers: ${warm.layers}`);
  assert.equal(warm.onnxruntimeMapped, false);
});

test("layer-specs' convLayerCount is the scheduler's", () => {
  const layer = (name: string, ops: string[]) => ({ name, ops }) as LayerInfo;
  const cases: LayerInfo[][] = [
    [],
    [layer("conv1", ["Conv"]), layer("fc6", ["Gemm"])],
    [layer("fc1", ["Gemm"]), layer("conv", ["Conv"])],
    [layer("conv1", ["Conv"]), layer("pool", ["MaxPool"]), layer("proj", ["MatMul"]), layer("fc8", ["Gemm"])],
    [layer("a", ["Conv"]), layer("b", ["Relu"])],
  ];
  for (const layers of cases) assert.equal(convLayerCount(layers), scheduleConvLayerCount(layers), layers.map((l) => l.name).join(","));
});
