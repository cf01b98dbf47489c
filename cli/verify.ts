// `mema verify MODEL`: runs the model whole and layer by layer on the same seeded inputs and compares outputs.
import type { Command } from "./command.ts";
import { parseInteger, parseNumber } from "./flag-values.ts";
import { resolveModel, SPLIT_OPTIONS, splitOptions } from "./model-args.ts";

export const command: Command = {
  name: "verify",
  usage: `mema verify MODEL [--shape NAME=DIMS]... [--cap SIZE] [--granularity layer|node|merged] [--merge SIZE] [--tolerance X] [--seed N]

Runs MODEL whole and layer by layer (each layer loaded, run and freed) on the same seeded inputs,
prints the largest absolute difference per output, and exits 0 only when every one is within
--tolerance (default 0: bit-identical).`,
  options: {
    ...SPLIT_OPTIONS,
    tolerance: { type: "string" },
    seed: { type: "string" },
  },
  async run(ctx) {
    const tolerance = parseNumber("tolerance", ctx.values.tolerance, 0);
    const seed = parseInteger("seed", ctx.values.seed, 0, 42);
    // Flags first: a bad --cap should not wait for a zoo model to be generated.
    const options = splitOptions(ctx.values);
    const model = await resolveModel(ctx, "verify");
    const { verifyModel } = await import("../runtime/model/staged-run.ts");
    const { split, outputs, note } = await verifyModel(model.path, { ...options, name: model.name }, seed);
    let worst = 0;
    ctx.out(`${split.name}: ${split.layers.length} layers, seed ${seed}\n`);
    for (const output of outputs) {
      worst = Math.max(worst, output.maxAbsDifference);
      ctx.out(`  ${output.name} [${output.shape.join("x")}] ${output.dtype}: max abs difference ${output.maxAbsDifference}\n`);
    }
    const ok = worst <= tolerance;
    ctx.out(ok ? `ok: within tolerance ${tolerance}${worst === 0 ? " (bit-identical)" : ""}\n` : `FAILED: ${worst} exceeds tolerance ${tolerance}\n`);
    if (note) ctx.out(`note: ${note}\n`);
    return ok ? 0 : 1;
  },
};
