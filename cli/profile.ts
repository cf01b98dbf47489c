// `mema profile MODEL`: measures per-layer load/exec medians on this machine and stores them for the simulator.
import { join } from "node:path";
import { cacheDir } from "../runtime/host/cache.ts";
import { formatMs } from "../runtime/report/quantity.ts";
import type { Command } from "./command.ts";
import { EMULATE_HELP, EMULATE_OPTION } from "./emulate.ts";
import { parseInteger } from "./flag-values.ts";
import { resolveModel, SPLIT_OPTIONS, splitOptions } from "./model-args.ts";
import { writeFileAtomically } from "../runtime/host/write-file.ts";
import { checkNotInput, checkOutputFile, writingOutput } from "./output-paths.ts";

export const command: Command = {
  name: "profile",
  usage: `mema profile MODEL [--shape NAME=DIMS]... [--cap SIZE] [--granularity layer|node|merged] [--merge SIZE] [--runs N] [--out FILE] [--prepare] [--emulate SPEC]

Loads (creates a session from its file), runs and frees every layer --runs times (default 5) after a
warm-up, and writes medians as JSON (format "mema-layer-profile/1") to --out, by default into the cache.
--prepare only splits the model into the cache (--emulate does that first, outside the cgroup).

${EMULATE_HELP}`,
  options: {
    ...SPLIT_OPTIONS,
    runs: { type: "string" },
    out: { type: "string" },
    prepare: { type: "boolean" },
    ...EMULATE_OPTION,
  },
  async run(ctx) {
    const runs = parseInteger("runs", ctx.values.runs, 1, 5);
    // Refused before measuring, which takes a while: not after.
    checkOutputFile("out", ctx.values.out as string | undefined);
    const options = splitOptions(ctx.values);
    const model = await resolveModel(ctx, "profile");
    checkNotInput("out", ctx.values.out as string | undefined, [model.path]);
    const { splitModel } = await import("../runtime/model/split.ts");
    const { profileModel } = await import("../runtime/model/profile.ts");
    const split = await splitModel(model.path, { ...options, name: model.name });
    if (ctx.values.prepare) return 0;
    const profile = await profileModel(split, runs);
    const out = (ctx.values.out as string | undefined) ?? join(cacheDir("profiles"), `${split.name}-${split.sha256.slice(0, 12)}.json`);
    await writingOutput(() => writeFileAtomically(out, JSON.stringify(profile, null, 2) + "\n"));
    const load = profile.layers.reduce((s, l) => s + l.loadMs!, 0);
    const exec = profile.layers.reduce((s, l) => s + l.execMs!, 0);
    ctx.out(
      `${split.name}: ${split.layers.length} layers, medians of ${runs} run${runs === 1 ? "" : "s"} on ${profile.machine.cpuModel} (${profile.machine.runtime})\n` +
        `  whole model: create ${formatMs(profile.whole.loadMs)}, run ${formatMs(profile.whole.execMs)}\n` +
        `  layers:      load ${formatMs(load)}, exec ${formatMs(exec)}\n` +
        `wrote ${out}\n`,
    );
    return 0;
  },
};
