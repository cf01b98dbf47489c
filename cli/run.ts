// `mema run FILE`: runs a scenario's pipelines (each sweep point) and prints a summary, or a comparison for sweeps.
import { renderComparison } from "../runtime/report/comparison.ts";
import { renderSummary } from "../runtime/report/summary.ts";
import type { Command } from "./command.ts";
import { COMPARISON_WIDTH, RUN_BARE_FLAGS, RUN_OPTIONS, runOptionsHelp, runPlanFile } from "./sweeps.ts";

export const command: Command = {
  name: "run",
  usage: `mema run FILE [--policy P] [--memory SIZE] [--workers N] [--simulate] [--profile NAME|PATH] [--seed N] [--json F] [--csv D] [--timeline F] [--emulate SPEC]

Runs every pipeline of FILE (.mema, .yaml or .json) under each of its settings and prints a summary per run,
or a comparison table when the settings sweep.

${runOptionsHelp("policy")}`,
  options: RUN_OPTIONS,
  bareFlags: RUN_BARE_FLAGS,
  async run(ctx) {
    const result = await runPlanFile(ctx, "run", "policy");
    if (typeof result === "number") return result;
    const { reports, refused } = result;
    ctx.out(reports.length === 1 ? renderSummary(reports) : renderComparison(reports, { refused, withResponse: true, maxWidth: ctx.columns ?? COMPARISON_WIDTH }));
    // A real run stopped by Ctrl-C (130) or SIGTERM (143): what finished is out, and the exit code still says the run did not complete.
    return result.exitCode ?? (reports.some((r) => r.interrupted) ? 130 : 0);
  },
};
