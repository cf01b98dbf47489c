// The package as users meet it: `npm pack`, then `npm install ./mema-x.y.z.tgz` in a new project gives a working
// `npx mema`, `import { compile, run } from "mema"` under Node, Bun and Deno, and `bun run x.mema` with the one
// bunfig.toml line the README gives. Run once, under Node (it drives the three runtimes itself); it needs the
// npm registry or npm's cache for the dependencies, as `npm ci` had.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { currentRuntime } from "../runtime/platform.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const skip = currentRuntime() !== "node" ? "runs once, under Node (it drives Bun and Deno itself)" : !existsSync(join(root, "dist")) ? "no dist/: run npm run build" : false;
const bin = (name: string) => join(root, "node_modules", ".bin", name);

test("a packed tarball installs into a new project and works under Node, Bun and Deno", { skip, timeout: 300_000 }, () => {
  const work = mkdtempSync(join(tmpdir(), "mema-package-"));
  try {
    execFileSync("npm", ["pack", "--silent", "--pack-destination", work], { cwd: root, stdio: ["ignore", "ignore", "pipe"] });
    const tarball = readdirSync(work).find((f) => f.endsWith(".tgz"))!;
    const project = join(work, "project");
    execFileSync("mkdir", [project]);
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
    // What a user's own install needs (README): onnxruntime-node's install script would download CUDA libraries.
    const install = spawnSync("npm", ["install", join(work, tarball), "--prefer-offline", "--no-audit", "--no-fund"], {
      cwd: project,
      encoding: "utf8",
      env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: "skip" },
    });
    assert.equal(install.status, 0, install.stderr);
    writeFileSync(join(project, "x.mema"), "pipeline p <\n  model agenet;\n  memory 64MB;\n  policy mema;\n  workers 1;\n>\n");
    const check = spawnSync("npx", ["mema", "check", "x.mema"], { cwd: project, encoding: "utf8" });
    assert.equal(check.status, 0, check.stderr);
    assert.equal(check.stdout, "x.mema: ok\n");
    assert.equal(check.stderr, "", "npx mema prints nothing extra");

    writeFileSync(
      join(project, "use.mjs"),
      [
        'import { compile, run } from "mema";',
        'const { plan } = compile("pipeline < model agenet; memory 64MB; policy mema; workers 1; >");',
        'const [report] = await run("pipeline < model agenet; memory 64MB; policy mema; workers 1; >", { simulate: true });',
        "console.log(plan.pipelines.length, report.policy, report.makespanMs > 0);",
      ].join("\n"),
    );
    for (const [runtime, argv] of [
      ["node", [process.execPath, "use.mjs"]],
      ["bun", [bin("bun"), "use.mjs"]],
      ["deno", [bin("deno"), "run", "-A", "use.mjs"]],
    ] as const) {
      const r = spawnSync(argv[0], argv.slice(1), { cwd: project, encoding: "utf8" });
      assert.equal(r.status, 0, `${runtime}: ${r.stderr}`);
      assert.equal(r.stdout, "1 mema true\n", runtime);
    }

    // `bun run x.mema`: the plugin, preloaded by the one line README gives.
    writeFileSync(join(project, "bunfig.toml"), 'preload = ["mema/bun-plugin"]\n');
    const bunRun = spawnSync(bin("bun"), ["run", "x.mema", "--simulate"], { cwd: project, encoding: "utf8" });
    assert.equal(bunRun.status, 0, bunRun.stderr);
    assert.match(bunRun.stdout, /^p: policy mema, budget 64 MB, 1 worker, simulated/);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
