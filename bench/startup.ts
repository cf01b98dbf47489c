// Start-up: `mema check` of a small file, as a user's shell runs it, against bare runtimes in the same run.
// Alternating runs, medians of wall time (the machine is shared: read the ratios). The goal: within 0.6 s
// under Node, compiled (dist/, npm run build).
// Run: node --import tsx bench/startup.ts [--runs 15] [--write]
import { execFileSync, spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";

const args = process.argv.slice(2);
const runsFlag = args.indexOf("--runs");
const runs = runsFlag >= 0 ? Number(args[runsFlag + 1]) : 15;
const root = fileURLToPath(new URL("..", import.meta.url));
const bin = (name: string) => `${root}node_modules/.bin/${name}`;
const file = `${root}examples/faces.mema`;

const commands: [string, string[]][] = [
  ["node -e 0", [process.execPath, "-e", "0"]],
  ["npx mema check (node bin/mema.js, compiled)", [process.execPath, `${root}bin/mema.js`, "check", file]],
  ["node --import tsx bin/mema.ts check (the sources)", [process.execPath, "--import", "tsx", `${root}bin/mema.ts`, "check", file]],
  ["bun -e 0", [bin("bun"), "-e", "0"]],
  ["bun bin/mema.ts check", [bin("bun"), `${root}bin/mema.ts`, "check", file]],
  ["deno eval 0", [bin("deno"), "eval", "0"]],
  ["deno run -A bin/mema.ts check", [bin("deno"), "run", "-A", `${root}bin/mema.ts`, "check", file]],
];

// A fresh build: bin/mema.js runs the sources through tsx when they are newer than dist/.
execFileSync("npm", ["run", "build", "--silent"], { cwd: root, stdio: "ignore" });
const times = commands.map(() => [] as number[]);
for (let run = 0; run < runs + 1; run++) {
  commands.forEach(([label, argv], i) => {
    const t0 = performance.now();
    const r = spawnSync(argv[0]!, argv.slice(1), { cwd: root, stdio: "ignore" });
    const ms = performance.now() - t0;
    if (r.status !== 0) throw new Error(`${label}: exit ${r.status}`);
    if (run > 0) times[i]!.push(ms); // the first round warms the page cache
  });
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const lines = [
  `# Start-up: \`mema check examples/faces.mema\``,
  "",
  `Measured ${new Date().toISOString().slice(0, 16)} on ${cpus().length} x ${cpus()[0]?.model ?? "cpu"}: ${runs} alternating runs each, median wall time.`,
  "",
  "| command | median | minus the bare runtime |",
  "|---|--:|--:|",
];
const bare = (i: number) => (i <= 2 ? 0 : i <= 4 ? 3 : 5);
commands.forEach(([label], i) => {
  const m = median(times[i]!);
  const base = median(times[bare(i)]!);
  lines.push(`| ${label} | ${(m / 1000).toFixed(3)} s | ${i === bare(i) ? "" : `${((m - base) / 1000).toFixed(3)} s`} |`);
});
console.log(lines.join("\n"));
if (args.includes("--write")) writeFileSync(new URL("./results/startup.md", import.meta.url), lines.join("\n") + "\n");
