// Hostile and broken model files (issue 9): external data that escapes the model's folder, a damaged split
// cache, an unwritable cache, surprise writes next to the model, zoo leftovers and import-caffe's size bounds.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { cacheDir } from "../../../runtime/host/cache.ts";
import { ModelError } from "../../../runtime/model/errors.ts";
import { encodeModel } from "../../../runtime/model/onnx-file.ts";
import { seededInputs } from "../../../runtime/model/seeded-inputs.ts";
import { cachedSplit } from "../../../runtime/model/split-cache.ts";
import { readModelFile, splitModel } from "../../../runtime/model/split.ts";
import { maxAbsDifference, runLayered, runWhole, toFeeds } from "../../../runtime/model/staged-run.ts";
import type { SplitModel } from "../../../runtime/model/types.ts";
import { currentRuntime } from "../../../runtime/platform.ts";
import { removeLeftovers } from "../../../stdlib/zoo/generate.ts";
import { mema } from "../../cli/run-cli.ts";
import { tempFolder, useTempCache } from "./graph-builder.ts";
import { chainModel, externalDataModel } from "./split-cases.ts";
import { skipTest } from "../../skip.ts";

useTempCache();
const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

/** The command line of `mema` on the runtime running the tests. */
function memaArgv(): string[] {
  const runtime = currentRuntime();
  return runtime === "node" ? [process.execPath, "--import", "tsx", "bin/mema.ts"] : runtime === "bun" ? [process.execPath, "bin/mema.ts"] : [process.execPath, "run", "-A", "bin/mema.ts"];
}

/** `mema ...args` as a real process of the runtime running the tests. */
function memaProcess(args: string[], env: Record<string, string> = {}, prefix: string[] = []) {
  const all = [...prefix, ...memaArgv(), ...args];
  return spawnSync(all[0]!, all.slice(1), { cwd: root, encoding: "utf8", env: { ...process.env, ...env }, timeout: 60_000 });
}

function assertOneLine(r: { status: number | null; stderr: string; stdout: string }, pattern: RegExp): void {
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, pattern);
  assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
  assert.doesNotMatch(r.stderr, /^\s+at\s/m);
}

/** A folder holding the chain model whose weights are external data at `location`, and the data written at `dataPath`. */
function externalModel(location: string, dataPath?: string): { folder: string; path: string } {
  const folder = mkdtempSync(join(tempFolder(), "hostile-"));
  const { proto, data } = externalDataModel(location);
  const path = join(folder, "model.onnx");
  writeFileSync(path, encodeModel(proto));
  if (dataPath) {
    mkdirSync(dirname(join(folder, dataPath)), { recursive: true });
    writeFileSync(join(folder, dataPath), data);
  }
  return { folder, path };
}

const isExternal = (pattern: RegExp) => (e: unknown) =>
  e instanceof ModelError && e.code === "E_EXTERNAL_DATA" && pattern.test(e.message) && !e.message.includes("\n");

async function assertExact(split: SplitModel, path: string): Promise<void> {
  const feeds = toFeeds(seededInputs(split.inputs));
  const whole = await runWhole(path, feeds);
  const staged = await runLayered(split, feeds);
  for (const output of split.outputs) assert.equal(maxAbsDifference(whole[output.name]!, staged[output.name]!), 0, output.name);
}

test("external data outside the model's folder is refused before anything is linked or written", async () => {
  const outside = mkdtempSync(join(tmpdir(), "mema-outside-"));
  try {
    const { data } = externalDataModel("x");
    writeFileSync(join(outside, "weights.bin"), data);
    const layersBefore = existsSync(join(cacheDir(), "layers")) ? readdirSync(join(cacheDir(), "layers")).length : 0;
    const escaping = externalModel(`../../../../../../../../..${outside}/weights.bin`);
    const absolute = externalModel(join(outside, "weights.bin"));
    const linked = externalModel("link.bin");
    symlinkSync(join(outside, "weights.bin"), join(linked.folder, "link.bin"));
    const linkedFolder = externalModel("sub/weights.bin");
    symlinkSync(outside, join(linkedFolder.folder, "sub"));
    const cases: [string, RegExp][] = [
      [escaping.path, /refused: a path that resolves to '.*weights\.bin', outside the model's folder/],
      [absolute.path, /refused: an absolute path/],
      [linked.path, /'link\.bin', refused: a path that resolves to .*outside the model's folder/],
      [linkedFolder.path, /refused: a path that resolves to .*outside the model's folder/],
    ];
    for (const [path, pattern] of cases) {
      assert.throws(() => readModelFile(path), isExternal(pattern), path);
      await assert.rejects(splitModel(path), isExternal(pattern), path);
    }
    const layersAfter = existsSync(join(cacheDir(), "layers")) ? readdirSync(join(cacheDir(), "layers")).length : 0;
    assert.equal(layersAfter, layersBefore, "no split folder made for a refused model");
  } finally {
    rmSync(outside, { recursive: true, force: true });
  }
});

test("external data inside the folder is accepted, '..' and symlinks included, as onnxruntime accepts it", async () => {
  const dotted = externalModel("sub/../weights.bin", "weights.bin");
  mkdirSync(join(dotted.folder, "sub"));
  await assertExact(await splitModel(dotted.path), dotted.path);
  const linked = externalModel("link.bin", "data/weights.bin");
  symlinkSync(join(linked.folder, "data/weights.bin"), join(linked.folder, "link.bin"));
  await assertExact(await splitModel(linked.path), linked.path);
});

test("external data that is not a file, or offsets outside it, are one-line errors", () => {
  const folder = externalModel("data", "data/x.bin");
  assert.throws(() => readModelFile(folder.path), isExternal(/'data', refused: not a regular file/));
  const empty = externalModel("");
  assert.throws(() => readModelFile(empty.path), isExternal(/refused: an empty location/));
  const missing = externalModel("gone.bin");
  assert.throws(() => readModelFile(missing.path), isExternal(/'gone\.bin', which does not exist/));
  const short = externalModel("w.bin");
  writeFileSync(join(short.folder, "w.bin"), new Uint8Array(100));
  assert.throws(() => readModelFile(short.path), isExternal(/needs bytes \d+\.\.\d+ of 'w\.bin', which has 100/));
  for (const [key, value, pattern] of [["offset", "-4", /expected whole numbers/], ["length", "12", /length 12, but the tensor's dims and type take/]] as const) {
    const { proto, data } = externalDataModel("w.bin");
    proto.graph!.initializer[0]!.externalData.find((e) => e.key === key)!.value = value;
    const dir = mkdtempSync(join(tempFolder(), "hostile-"));
    writeFileSync(join(dir, "m.onnx"), encodeModel(proto));
    writeFileSync(join(dir, "w.bin"), data);
    assert.throws(() => readModelFile(join(dir, "m.onnx")), isExternal(pattern), key);
  }
});

test("mema run on a model whose external data is /etc/passwd: one line, exit 1, nothing linked (a real process)", () => {
  const { folder } = externalModel("../../../../../../../../../../etc/passwd");
  writeFileSync(join(folder, "evil.mema"), `model evil from "model.onnx";\npipeline p < model evil; memory 64MB; policy linear; workers 1; arrivals batch 1; >\n`);
  const cache = mkdtempSync(join(tempFolder(), "cache-"));
  const r = memaProcess(["run", join(folder, "evil.mema")], { MEMA_CACHE_DIR: cache });
  assertOneLine(r, /error\[E_EXTERNAL_DATA\]: .*model\.onnx: initializer 'w1' refers to external data '.*etc\/passwd', refused: a path that resolves to '\/etc\/passwd', outside the model's folder/);
  assert.equal(existsSync(join(cache, "layers")), false);
  assert.deepEqual(readdirSync(folder).sort(), ["evil.mema", "model.onnx"]);
});

test("shape discovery writes its probe into the cache, never next to the model", async () => {
  // No value_info: the split runs the model once to learn its shapes, from external data.
  const { folder, path } = externalModel("w.bin", "w.bin");
  const split = await splitModel(path);
  await assertExact(split, path);
  assert.deepEqual(readdirSync(folder).sort(), ["model.onnx", "w.bin"]);
});

test("a real run leaves no onnxruntime telemetry behind: no /tmp/mat-debug-PID.log, nothing under ~/.cache/Microsoft", () => {
  const { folder } = externalModel("w.bin", "w.bin");
  writeFileSync(join(folder, "m.mema"), `model m from "model.onnx";\npipeline p < model m; memory 64MB; policy linear; workers 1; arrivals batch 1; >\n`);
  const home = mkdtempSync(join(tempFolder(), "home-"));
  // A cache of its own (the splits of this model stay out of the other tests' way). ORT_DISABLE_TELEMETRY is
  // not inherited: this test process set it for itself when it loaded onnxruntime.
  const env: Record<string, string> = { ...(process.env as Record<string, string>), HOME: home, XDG_CACHE_HOME: join(home, ".cache"), MEMA_CACHE_DIR: join(home, "mema") };
  delete env.ORT_DISABLE_TELEMETRY;
  const all = [...memaArgv(), "run", join(folder, "m.mema")];
  const r = spawnSync(all[0]!, all.slice(1), { cwd: root, encoding: "utf8", env, timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /top1/);
  const log = `/tmp/mat-debug-${r.pid}.log`;
  const leftLog = existsSync(log);
  if (leftLog) rmSync(log);
  assert.equal(leftLog, false, `${log} written`);
  assert.equal(existsSync(join(home, ".cache", "Microsoft")), false, "~/.cache/Microsoft written");
});

test("a damaged split is noticed, said on stderr and made again; it never runs", async () => {
  const { path } = externalModel("w.bin", "w.bin");
  const split = await splitModel(path);
  assert.ok(cachedSplit(path), "cached");
  const layerFile = split.layers[1]!.path!;
  const bytes = readFileSync(layerFile);
  const damage: [string, () => void, RegExp][] = [
    ["truncated layer file", () => writeFileSync(layerFile, bytes.subarray(0, 10)), /\.onnx: 10 bytes, expected \d+/],
    ["same-size change in a layer file", () => writeFileSync(layerFile, bytes.map((b, i) => (i === bytes.length - 3 ? b ^ 0xff : b))), /\.onnx: content changed/],
    ["missing layer file", () => rmSync(layerFile), /\.onnx: missing/],
    ["unreadable manifest", () => writeFileSync(join(dirname(layerFile), readdirSync(dirname(layerFile)).find((f) => f.endsWith(".split.json"))!), "{"), /split\.json: unreadable/],
    ["external data changed", () => {
      const data = readFileSync(join(dirname(path), "w.bin"));
      data[0] = data[0]! ^ 0xff;
      writeFileSync(join(dirname(path), "w.bin"), data);
    }, /source-\w+-w\.bin: content changed|external data 'w\.bin' changed/], // the link in the cache shares the file's inode
  ];
  const stderr = process.stderr.write;
  for (const [what, act, pattern] of damage) {
    act();
    let said = "";
    process.stderr.write = ((text: string) => ((said += text), true)) as typeof process.stderr.write;
    try {
      assert.equal(cachedSplit(path), undefined, what);
    } finally {
      process.stderr.write = stderr;
    }
    assert.match(said, new RegExp(`^mema: the cached split of model is damaged \\(.*(${pattern.source}).*\\); splitting it again\\n$`), what);
    const again = await splitModel(path);
    await assertExact(again, path);
    assert.ok(cachedSplit(path), `${what}: intact again`);
  }
});

test("an unwritable cache folder is one line, not a stack trace or a hang", (t) => {
  const saved = process.env.MEMA_CACHE_DIR;
  try {
    process.env.MEMA_CACHE_DIR = "/proc/mema-no-such-folder";
    assert.throws(() => cacheDir("layers"), (e: unknown) => e instanceof ModelError && e.code === "E_CACHE" && /cannot write to the cache folder '\/proc\/mema-no-such-folder\/layers' \(cannot be created\); set MEMA_CACHE_DIR/.test(e.message));
  } finally {
    process.env.MEMA_CACHE_DIR = saved;
  }
  assertOneLine(memaProcess(["layers", "agenet"], { MEMA_CACHE_DIR: "/proc/mema-no-such-folder" }), /error\[E_CACHE\]: cannot write to the cache folder '\/proc\/mema-no-such-folder\/zoo'/);
  // Root ignores mode bits: a read-only folder is tried as nobody, where the machine allows it.
  const isRoot = process.getuid?.() === 0;
  if (!isRoot || spawnSync("setpriv", ["--version"]).status !== 0) return skipTest(t, "needs root and setpriv to act as nobody");
  const folder = mkdtempSync(join(tmpdir(), "mema-readonly-"));
  try {
    spawnSync("chmod", ["755", folder]);
    const readOnly = join(folder, "cache");
    mkdirSync(readOnly, { mode: 0o555 });
    spawnSync("chmod", ["555", readOnly]);
    const nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"];
    const r = memaProcess(["layers", "agenet"], { MEMA_CACHE_DIR: readOnly, HOME: folder, XDG_CACHE_HOME: folder, DENO_DIR: join(folder, "deno") }, nobody);
    if (/EACCES.*(tsx|node_modules|deno)|Permission denied.*(node_modules|\.ts)/i.test(r.stderr)) return skipTest(t, `nobody cannot read the checkout: ${r.stderr.split("\n")[0]}`);
    assertOneLine(r, /error\[E_CACHE\]: cannot write to the cache folder '.*cache\/zoo' \(permission denied\)/);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});

test("zoo leftovers: temporary files of dead processes go, a live one's stay", () => {
  const dir = mkdtempSync(join(tempFolder(), "zoo-"));
  const dead = join(dir, "agenet-0123456789abcdef.onnx.999999999.k3j2.tmp");
  const live = join(dir, `agenet-0123456789abcdef.onnx.${process.pid}.a1b2.tmp`);
  writeFileSync(dead, "x");
  writeFileSync(live, "x");
  removeLeftovers(dir);
  assert.equal(existsSync(dead), false);
  assert.equal(existsSync(live), true);
});

const bigPrototxt = (outputs: number) => `name: "big"
input: "data"
input_shape { dim: 1 dim: 3 dim: 32 dim: 32 }
layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc" inner_product_param { num_output: ${outputs} } }
`;

test("import-caffe refuses a model over --max-size (default 2 GiB) or the free space, before writing", async () => {
  const dir = mkdtempSync(join(tempFolder(), "caffe-"));
  const file = join(dir, "big.prototxt");
  writeFileSync(file, bigPrototxt(1_000_000_000));
  let r = await mema("import-caffe", file);
  assert.equal(r.code, 1);
  assert.match(r.err, /error\[E_TOO_LARGE\]: .*big\.onnx: the model would take 12292000\.0 MB, over the limit of 2147\.5 MB \(--max-size raises it\)\n$/);
  r = await mema("import-caffe", file, "--max-size", "100000000GB");
  assert.match(r.err, /error\[E_DISK_SPACE\]: .*big\.onnx: the model takes 12292000\.0 MB, its file system has [\d.]+ MB free\n$/);
  writeFileSync(file, bigPrototxt(10));
  r = await mema("import-caffe", file, "--max-size", "1KB");
  assert.match(r.err, /error\[E_TOO_LARGE\]: .*over the limit of 0\.0 MB/);
  assert.deepEqual(readdirSync(dir), ["big.prototxt"]);
});

test("Ctrl-C during model generation leaves no temporary file behind (a real process)", async (t) => {
  if (process.platform === "win32") return skipTest(t, "signals");
  const dir = mkdtempSync(join(tempFolder(), "caffe-int-"));
  writeFileSync(join(dir, "big.prototxt"), bigPrototxt(100_000)); // 1.2 GB: seconds of writing, interrupted first
  const runtime = currentRuntime();
  const argv = runtime === "node" ? [process.execPath, "--import", "tsx", "bin/mema.ts"] : runtime === "bun" ? [process.execPath, "bin/mema.ts"] : [process.execPath, "run", "-A", "bin/mema.ts"];
  const child = spawn(argv[0]!, [...argv.slice(1), "import-caffe", join(dir, "big.prototxt"), "--max-size", "100GB"], { cwd: root, stdio: "ignore" });
  const exited = new Promise<number | string | null>((done) => child.on("exit", (code, signal) => done(signal ?? code)));
  const started = Date.now();
  while (!readdirSync(dir).some((f) => f.endsWith(".tmp")) && Date.now() - started < 30_000) await new Promise((r) => setTimeout(r, 20));
  assert.ok(readdirSync(dir).some((f) => f.endsWith(".tmp")), "generation started");
  child.kill("SIGINT");
  const ended = await exited;
  assert.ok(ended === "SIGINT" || ended === 130, `ended by the signal: ${ended}`);
  assert.deepEqual(readdirSync(dir), ["big.prototxt"]);
});
