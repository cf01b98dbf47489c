// `mema layers|verify|profile|import-caffe` on a newcomer's mistakes: each one line, exit 1, before any long work.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { assertOneLineErrors, mema } from "./run-cli.ts";
import { tempFolder, useTempCache, writeModel } from "../runtime/model/graph-builder.ts";
import { chainModel, symbolicModel, threeSymbolicInputsModel, unpaddedConvModel } from "../runtime/model/split-cases.ts";

useTempCache();


test("bad models, shapes, counts and output paths: one line each, exit 1, no stack", async () => {
  const folder = join(tempFolder(), "a-folder.onnx");
  mkdirSync(folder, { recursive: true });
  const chain = writeModel("cmd-chain", chainModel());
  const symbolic = writeModel("cmd-symbolic", symbolicModel());
  const prototxt = join(tempFolder(), "tiny.prototxt");
  writeFileSync(prototxt, 'name: "tiny"\ninput: "data"\ninput_dim: 1\ninput_dim: 1\ninput_dim: 4\ninput_dim: 4\n');
  const cases: [string[], RegExp][] = [
    [["layers", tempFolder()], /error\[E_MODEL_FILE\]: MODEL '.*' is a folder; expected an \.onnx file or a zoo network name/],
    [["verify", folder], /error\[E_MODEL_FILE\]: MODEL '.*a-folder\.onnx' is a folder/],
    [["verify", writeModel("cmd-three", threeSymbolicInputsModel()), "--shape", "h=2x5x4"], /error\[E_SHAPE\]: missing input shapes: input 'input' has dims \[batch, sequence\], input 'c' has dims \[2, batch, 4\]; pass --shape input=5x1 --shape c=2x5x4\n$/],
    [["layers", symbolic, "--shape", "x=1x3x0x9"], /error\[E_OPTION\]: bad shape 'x=1x3x0x9': every dim must be at least 1/],
    [["layers", writeModel("cmd-unpadded", unpaddedConvModel()), "--shape", "x=1x3x2x2"], /error\[E_SHAPE\]: .*cmd-unpadded\.onnx: the model does not run with input shapes x=1x3x2x2: /],
    [["layers", chain, "--cap", "0"], /error\[E_OPTION\]: --cap: a size must be at least 1 byte/],
    [["verify", chain, "--seed", "1.5"], /error\[E_OPTION\]: --seed '1\.5': expected an integer >= 0/],
    [["profile", chain, "--runs", "0"], /error\[E_OPTION\]: --runs '0': expected a positive integer/],
    [["profile", chain, "--out", tempFolder()], /error\[E_OUTPUT\]: --out '.*' is a folder; expected a file path/],
    [["import-caffe", tempFolder()], /error\[E_FILE\]: .*: cannot read the file \(a folder, not a \.prototxt file\)/],
    [["import-caffe", prototxt, "--out", tempFolder()], /error\[E_OUTPUT\]: --out '.*' is a folder; expected a file path/],
    [["import-caffe", prototxt, "--batch", "2.5"], /error\[E_OPTION\]: --batch '2\.5': expected a positive integer/],
  ];
  await assertOneLineErrors(cases);
});

test("mema layers: the same table layout as the run reports (header, rule, sizes right-aligned)", async () => {
  const r = await mema("layers", writeModel("cmd-table", chainModel()));
  assert.equal(r.code, 0, r.err);
  const [header, rule, ...rows] = r.out.split("\n");
  assert.match(header!, /^#\s+layer\s+ops\s+weights\s+activations\s+MFLOP\s+heavy\s+outputs$/);
  assert.match(rule!, /^-+$/);
  const weightsEnd = header!.indexOf("weights") + "weights".length;
  for (const row of rows.slice(0, 3)) assert.match(row.slice(0, weightsEnd), /\d B$|KiB$|MiB$/, row);
  assert.match(r.out, /3 layers, .* of weights\n$/);
});
