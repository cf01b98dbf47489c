// Bun only (preloaded through bunfig.toml): `bun run examples/faces.mema` runs the scenario, as `mema run` does.
// A .mema module becomes a tiny program calling the CLI; nothing heavy loads until a .mema file is imported.

/** The part of Bun's plugin API used here (bun-types is not a dependency). */
interface BunPluginBuild {
  onLoad(options: { filter: RegExp }, callback: (args: { path: string }) => { loader: "ts"; contents: string }): void;
}
const bun = (globalThis as { Bun?: { plugin(plugin: { name: string; setup(build: BunPluginBuild): void }): void } }).Bun;

const cliMain = new URL("../../cli/main.ts", import.meta.url).href;

bun?.plugin({
  name: "mema",
  setup(build) {
    build.onLoad({ filter: /\.mema$/ }, (args) => ({
      loader: "ts",
      contents: [
        `import { main } from ${JSON.stringify(cliMain)};`,
        // Only the entry script runs the scenario; importing a .mema file from code does not.
        `if (import.meta.main) process.exitCode = await main(["run", ${JSON.stringify(args.path)}, ...process.argv.slice(2)]);`,
      ].join("\n"),
    }));
  },
});
