// `mema run` and `mema compare` (simulated): summaries, sweeps, report files, and one-line errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mema } from "../../cli/run-cli.ts";


const dir = mkdtempSync(join(tmpdir(), "mema-run-"));
const scenario = join(dir, "two.mema");
writeFileSync(scenario, `pipeline two {\n  model agenet;\n  model gendernet;\n  memory 256MB;\n  policy mema;\n  workers 2;\n  arrivals batch 3;\n}\n`);

test("run --simulate prints a summary; the JSON report has the documented fields", async () => {
  const json = join(dir, "r.json");
  const r = await mema("run", scenario, "--simulate", "--json", json);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /two: policy mema, budget 256 MB, 2 workers, simulated on profile rpi4/);
  const report = JSON.parse(readFileSync(json, "utf8"));
  for (const key of ["pipeline", "policy", "memoryBudgetBytes", "workers", "simulated", "makespanMs", "lowerBoundMs", "peakAccountedBytes", "networks", "steps"]) assert.ok(key in report, key);
  assert.deepEqual(Object.keys(report.networks[0]).slice(0, 7), ["name", "instance", "arrivalMs", "startMs", "endMs", "waitMs", "responseMs"]);
  assert.deepEqual(Object.keys(report.steps[0]).slice(0, 8), ["network", "instance", "layer", "kind", "worker", "startMs", "endMs", "bytes"]);
  assert.equal(report.networks.length, 6);
});

test("flags override the file; comma lists sweep into a comparison; CSV and timelines are written", async () => {
  const csv = join(dir, "csv");
  const svg = join(dir, "t.svg");
  const r = await mema("run", scenario, "--simulate", "--policy", "mema,masa", "--memory", "128MB,1GB", "--csv", csv, "--timeline", svg);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /mema/);
  assert.match(r.out, /masa/);
  assert.ok(existsSync(join(csv, "steps.csv")) && existsSync(join(csv, "networks.csv")));
  const svgs = readdirSync(dir).filter((f) => /^t-.*\.svg$/.test(f));
  assert.equal(svgs.length, 4, `one timeline per run: ${svgs.join(", ")}`);
  assert.match(readFileSync(join(dir, svgs[0]!), "utf8"), /<svg /);
  const c = await mema("compare", scenario, "--simulate", "--memory", "512MB", "--json", join(dir, "c.json"));
  assert.equal(c.code, 0, c.err);
  const reports = JSON.parse(readFileSync(join(dir, "c.json"), "utf8"));
  assert.equal(reports.length, 10, "compare sweeps every policy by default");
});

test("in a sweep, a policy that can never fit a budget is reported and the others still run", async () => {
  const r = await mema("compare", scenario, "--simulate", "--policies", "bulk,mema", "--memory", "30MB,1GB", "--json", join(dir, "s.json"));
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /two: bulk at 30 MB refused: network agenet, exec of the whole network/);
  assert.equal(JSON.parse(readFileSync(join(dir, "s.json"), "utf8")).length, 3);
});

test("the same file, profile and seed give byte-identical JSON", async () => {
  const a = join(dir, "a.json");
  const b = join(dir, "b.json");
  await mema("run", scenario, "--simulate", "--seed", "3", "--json", a);
  await mema("run", scenario, "--simulate", "--seed", "3", "--json", b);
  assert.equal(readFileSync(a, "utf8"), readFileSync(b, "utf8"));
});

test("bad input: one line, an error code, no stack", async () => {
  const cases: [string[], RegExp][] = [
    [["run", scenario, "--simulate", "--policy", "fastest"], /error\[E_POLICY\]: unknown policy 'fastest'/],
    [["run", scenario, "--simulate", "--memory", "512"], /error\[E_UNIT\]: --memory .512.: a size needs a unit/],
    [["run", scenario, "--simulate", "--workers", "0"], /--workers '0': expected a positive integer/],
    [["run", scenario, "--session", "threads=2"], /error\[E_SESSION\]: --session: unknown session option 'threads'/], // real run (issue 5)
    [["run", scenario, "--simulate", "--profile", "pi9"], /unknown device profile 'pi9'/],
    [["run", scenario, "--simulate", "--memory", "1MB", "--policy", "bulk"], /error\[E_TOO_BIG\]: network agenet, exec of the whole network: policy bulk needs \d+ bytes/],
    [["run", join(dir, "missing.mema"), "--simulate"], /cannot read/],
  ];
  for (const [argv, message] of cases) {
    const r = await mema(...argv);
    assert.equal(r.code, 1, argv.join(" "));
    assert.match(r.err, message, argv.join(" "));
    assert.ok(!/\n\s+at /.test(r.err), `no stack trace for ${argv.join(" ")}`);
  }
  writeFileSync(join(dir, "bad.mema"), "pipeline { model agenet; policy fastest; }\n");
  const bad = await mema("run", join(dir, "bad.mema"), "--simulate");
  assert.equal(bad.code, 1);
  assert.match(bad.err, /bad\.mema:1:\d+: error\[/);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
