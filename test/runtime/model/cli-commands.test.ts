// `mema layers`, `mema verify` and `mema profile` through the CLI entry, with output captured.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { assertOneLineErrors, mema } from "../../cli/run-cli.ts";
import type { LayerProfile } from "../../../runtime/model/profile.ts";
import { tempFolder, writeModel, useTempCache } from "./graph-builder.ts";
import { chainModel, symbolicModel } from "./split-cases.ts";

useTempCache();


test("mema layers prints a table, or JSON with a layers array", async () => {
  const path = writeModel("cli-chain", chainModel());
  const table = await mema("layers", path);
  assert.equal(table.code, 0, table.err);
  assert.match(table.out, /^#\s+layer\s+ops\s+weights/);
  assert.match(table.out, /conv2\s+Conv,Relu,Flatten/);
  assert.match(table.out, /3 layers/);
  const json = await mema("layers", path, "--json", "--granularity", "node");
  const parsed = JSON.parse(json.out) as { layers: { name: string; ops: string[]; weightsBytes: number; activationBytes: number; inputs: unknown[]; outputs: unknown[] }[] };
  assert.equal(parsed.layers.length, 8);
  assert.deepEqual(Object.keys(parsed.layers[0]!).filter((k) => ["name", "ops", "weightsBytes", "activationBytes", "inputs", "outputs"].includes(k)).length, 6);
  const capped = JSON.parse((await mema("layers", path, "--json", "--cap", "2KiB")).out) as { layers: { weightsBytes: number }[] };
  assert.ok(capped.layers.every((l) => l.weightsBytes <= 2048));
});

test("mema verify reports the difference per output and exits 0 when bit-identical", async () => {
  const path = writeModel("cli-symbolic", symbolicModel());
  const result = await mema("verify", path, "--shape", "x=1x3x9x9", "--cap", "1KiB");
  assert.equal(result.code, 0, result.err);
  assert.match(result.out, /y \[1x8x9x9\] float32: max abs difference 0/);
  assert.match(result.out, /bit-identical/);
});

test("mema profile writes per-layer medians as JSON", async () => {
  const path = writeModel("cli-profile", chainModel());
  const out = join(tempFolder(), "profile.json");
  const result = await mema("profile", path, "--runs", "2", "--out", out);
  assert.equal(result.code, 0, result.err);
  const profile = JSON.parse(readFileSync(out, "utf8")) as LayerProfile;
  assert.equal(profile.format, "mema-layer-profile/1");
  assert.equal(profile.layers.length, 3);
  assert.ok(profile.layers.every((l) => typeof l.loadMs === "number" && l.loadMs > 0 && typeof l.execMs === "number" && l.execMs > 0));
  assert.ok(profile.whole.loadMs > 0 && profile.whole.execMs > 0);
});

test("bad input is one line, exit 1, no stack trace", async () => {
  const truncated = join(tempFolder(), "cli-truncated.onnx");
  writeFileSync(truncated, readFileSync(writeModel("cli-whole", chainModel())).subarray(0, 300));
  const cases: [string[], RegExp][] = [
    [["layers", truncated], /error\[E_MODEL_FILE\]: .*cli-truncated\.onnx: not a valid ONNX model/],
    [["layers", join(tempFolder(), "absent.onnx")], /error\[E_MODEL_FILE\]: .*absent\.onnx: cannot read model file \(no such file\)/],
    [["layers", "not-a-network"], /neither an existing \.onnx file nor a zoo network/],
    [["layers", writeModel("cli-sym", symbolicModel())], /error\[E_SHAPE\]: missing input shape: input 'x'/],
    [["layers", writeModel("cli-cap", chainModel()), "--cap", "12 parsecs"], /--cap '12 parsecs': expected a size/],
    [["layers", writeModel("cli-gran", chainModel()), "--granularity", "huge"], /--granularity 'huge'/],
    [["verify", writeModel("cli-shape", symbolicModel()), "--shape", "x:1x3"], /bad shape 'x:1x3'/],
  ];
  await assertOneLineErrors(cases);
});
