// `mema run`/`compare` on a newcomer's mistakes (output paths, a folder as FILE), and a quiet stderr when nothing is generated.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { assertOneLineErrors, mema } from "./run-cli.ts";
import { tempFolder, useTempCache, writeModel } from "../runtime/model/graph-builder.ts";
import { chainModel } from "../runtime/model/split-cases.ts";

useTempCache();


const model = writeModel("run-chain", chainModel());
const scenario = join(tempFolder(), "chain.mema");
writeFileSync(scenario, `pipeline chain {\n  model chain from "${model}";\n  memory 64MB;\n  policy mema;\n  workers 1;\n  arrivals batch 2;\n}\n`);

test("output paths and FILE are checked before running: one line each, nothing written", async () => {
  const taken = join(tempFolder(), "taken.txt");
  writeFileSync(taken, "x");
  const svgFolder = join(tempFolder(), "folder.svg");
  mkdirSync(svgFolder, { recursive: true });
  const cases: [string[], RegExp][] = [
    [["run", scenario, "--simulate", "--json", tempFolder()], /error\[E_OUTPUT\]: --json '.*' is a folder; expected a file path/],
    [["run", scenario, "--simulate", "--timeline", svgFolder], /error\[E_OUTPUT\]: --timeline '.*folder\.svg' is a folder; expected a file path/],
    [["compare", scenario, "--simulate", "--csv", taken], /error\[E_OUTPUT\]: --csv '.*taken\.txt' is a file; expected a folder/],
    [["run", scenario, "--simulate", "--json", join(taken, "r.json")], /error\[E_OUTPUT\]: --json '.*r\.json': cannot create it, '.*taken\.txt' is a file, not a folder/],
    [["run", model, "--simulate"], /error\[E_FILE\]: FILE '.*run-chain\.onnx' is not a scenario \(binary, an ONNX model\): expected a \.mema, \.yaml or \.json file; a model goes in one as `model NAME from ".*run-chain\.onnx";`/],
    [["run", tempFolder(), "--simulate"], /error\[E_FILE\]: FILE '.*' is a folder; expected a \.mema, \.yaml or \.json file/],
    [["run", scenario, "--simulate", "--seed", "-1"], /error\[E_OPTION\]: option '--seed' needs a value/],
    [["run", scenario, "--simulate", "--seed", "2.5"], /error\[E_OPTION\]: --seed '2\.5': expected an integer >= 0/],
    [["compare", scenario, "--simulate", "--policies", ","], /error\[E_OPTION\]: --policies ',': expected a comma-separated list/],
  ];
  await assertOneLineErrors(cases);
  assert.ok(!existsSync(join(taken, "r.json")));
});

test("a real run whose models are already split says nothing on stderr but what it wrote", async () => {
  const json = join(tempFolder(), "real.json");
  await mema("run", scenario, "--quiet");
  const again = await mema("run", scenario, "--json", json);
  assert.equal(again.code, 0, again.err);
  assert.match(again.out, /chain: policy mema, budget 64 MB, 1 worker, real run/);
  assert.equal(again.err, `wrote ${json}\n`);
});

test("run --prepare splits and caches what the runs need and runs nothing; the runs after it add nothing to the cache", async () => {
  const file = join(tempFolder(), "prepared.mema");
  writeFileSync(file, `pipeline prepared {\n  model chain from "${model}";\n  memory [48KB, 64MB];\n  policy [mema, linear];\n  workers 1;\n  arrivals batch 2;\n}\n`);
  const cache = process.env.MEMA_CACHE_DIR!;
  const files = () => (readdirSync(cache, { recursive: true }) as string[]).filter((f) => statSync(join(cache, f)).isFile()).sort();
  const before = files();
  const prepared = await mema("run", file, "--prepare", "--baseline", "careful");
  assert.equal(prepared.code, 0, prepared.err);
  assert.equal(prepared.out, "");
  assert.equal(prepared.err, `mema run: prepared 4 runs of ${file}; nothing run\n`);
  const cached = files();
  assert.ok(cached.length > before.length, "something was split");
  const ran = await mema("run", file, "--quiet", "--baseline", "careful");
  assert.equal(ran.code, 0, ran.err);
  assert.deepEqual(files(), cached, "the runs found everything split");
  await assertOneLineErrors([
    [["run", file, "--prepare", "--json", join(tempFolder(), "p.json")], /error\[E_OPTION\]: --prepare runs nothing, so --json has no report to write/],
    [["compare", file, "--prepare", "--simulate"], /error\[E_OPTION\]: --prepare and --simulate: a simulated run splits no model, there is nothing to prepare/],
  ]);
});

test("--policy and --policies are one option on run and compare; two different lists are refused", async () => {
  const file = join(tempFolder(), "spellings.mema");
  writeFileSync(file, "pipeline p <\n  model agenet;\n  memory 512MB;\n  policy mema;\n>\n");
  for (const command of ["run", "compare"]) {
    for (const flag of ["--policy", "--policies"]) {
      const r = await mema(command, file, "--simulate", flag, "linear,partial");
      assert.equal(r.code, 0, `${command} ${flag}: ${r.err}`);
      assert.match(r.out, /linear/, `${command} ${flag}`);
      assert.match(r.out, /partial/, `${command} ${flag}`);
      assert.doesNotMatch(r.out, /\bmema\b/, `${command} ${flag}: the file's policy is replaced`);
    }
  }
  const both = await mema("run", file, "--simulate", "--policy", "linear", "--policies", "partial");
  assert.equal(both.code, 1);
  assert.match(both.err, /--policy 'linear' and --policies 'partial': give one of them/);
});

test("a real sweep: a cell no policy run can fit is refused in the table, with the reason, and the others run (exit 0)", async () => {
  const r = await mema("compare", scenario, "--policies", "bulk,partial", "--memory", "147KB,1MB", "--quiet");
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^ {2}bulk +refused /m);
  assert.match(r.out, /refused: bulk at 143.6 KiB: network chain, .* needs \d+ bytes/);
  assert.match(r.out, /^ {2}partial +[\d.]+ +x1\.00/m);
  assert.match(r.err, /bulk at 143.6 KiB refused/);
});
