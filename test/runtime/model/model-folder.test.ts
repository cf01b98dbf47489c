// Nothing beside the user's model: every model command (layers, verify, profile, run real and simulated) leaves
// the model's folder as it was, while shape discovery runs (a probe from external data, an inlined If's probe).
import { test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, copyFileSync, mkdtempSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { encodeModel } from "../../../runtime/model/onnx-file.ts";
import { mema } from "../../cli/run-cli.ts";
import { tempFolder, useTempCache, writeModel } from "./graph-builder.ts";
import { externalDataModel, ifModel } from "./split-cases.ts";

useTempCache();

/** Each file of the folder with its size and mtime: any write, new file or removal changes it. */
function listing(folder: string): string[] {
  return readdirSync(folder).sort().map((name) => {
    const s = statSync(join(folder, name));
    return `${name} ${s.size} ${s.mtimeMs}`;
  });
}

/** `mema ...argv` on a fresh cache (so shapes are discovered again), the model's folder read-only where that binds. */
async function inFreshCache(folder: string, argv: string[]): Promise<void> {
  const before = listing(folder);
  const cache = process.env.MEMA_CACHE_DIR;
  process.env.MEMA_CACHE_DIR = mkdtempSync(join(tempFolder(), "cache-"));
  chmodSync(folder, 0o555); // binds for a user; root writes anyway, which the listing catches
  try {
    const r = await mema(...argv);
    assert.equal(r.code, 0, `mema ${argv.join(" ")}: ${r.err}`);
  } finally {
    chmodSync(folder, 0o755);
    process.env.MEMA_CACHE_DIR = cache;
  }
  assert.deepEqual(listing(folder), before, `mema ${argv.join(" ")} wrote beside the model`);
}

function modelFolder(): string {
  const folder = mkdtempSync(join(tempFolder(), "models-"));
  // Weights in external data and no value_info: the probe is a file (it must sit where the data resolves).
  const { proto, data } = externalDataModel("w.bin");
  writeFileSync(join(folder, "chain.onnx"), encodeModel(proto));
  writeFileSync(join(folder, "w.bin"), data);
  // An If on a constant: the probe runs the graph with the branch inlined.
  copyFileSync(writeModel("folder-if", ifModel("constant")), join(folder, "vad.onnx"));
  writeFileSync(
    join(folder, "both.mema"),
    `model chain from "chain.onnx";\nmodel vad from "vad.onnx";\npipeline p < model chain; model vad; memory 64MB; policy linear; arrivals batch 1; >\n`,
  );
  return folder;
}

test("layers, verify, profile and run write nothing beside the model, probing included", async () => {
  const folder = modelFolder();
  const out = mkdtempSync(join(tempFolder(), "out-"));
  for (const model of ["chain.onnx", "vad.onnx"]) {
    const path = join(folder, model);
    await inFreshCache(folder, ["layers", path]);
    await inFreshCache(folder, ["verify", path]);
    await inFreshCache(folder, ["profile", path, "--runs", "1", "--out", join(out, `${model}.json`)]);
    await inFreshCache(folder, ["profile", path, "--runs", "1"]); // default --out: the cache
  }
  await inFreshCache(folder, ["run", join(folder, "both.mema"), "--simulate"]);
  await inFreshCache(folder, ["run", join(folder, "both.mema")]);
});
