// `mema compare FILE`: a sweep over policies (all by default), budgets and workers, as one comparison table.
import { renderComparison } from "../runtime/report/comparison.ts";
import { POLICIES } from "../stdlib/names.ts";
import type { Command } from "./command.ts";
import { COMPARISON_WIDTH, RUN_BARE_FLAGS, RUN_OPTIONS, runOptionsHelp, runPlanFile } from "./sweeps.ts";

export const command: Command = {
  name: "compare",
  usage: `mema compare FILE [--policies a,b] [--memory a,b] [--workers a,b] [--simulate] [--profile NAME|PATH] [--seed N] [--json F] [--csv D] [--timeline F] [--emulate SPEC]

Runs every pipeline of FILE under each combination of the given policies (default: all of them), budgets
and worker counts (default: the file's) and prints one table per pipeline: rows policies, columns budgets,
each cell the makespan, its ratio to the column's best, the peak accounted memory and the mean response.

${runOptionsHelp("policies")}`,
  options: RUN_OPTIONS,
  bareFlags: RUN_BARE_FLAGS,
  async run(ctx) {
    if (ctx.values.policies === undefined && ctx.values.policy === undefined) ctx.values.policies = POLICIES.join(",");
    const result = await runPlanFile(ctx, "compare", "policies");
    if (typeof result === "number") return result;
    const { reports, refused } = result;
    ctx.out(renderComparison(reports, { refused, withResponse: true, maxWidth: ctx.columns ?? COMPARISON_WIDTH }));
    // A real run stopped by Ctrl-C (130) or SIGTERM (143): what finished is out, and the exit code still says the run did not complete.
    return result.exitCode ?? (reports.some((r) => r.interrupted) ? 130 : 0);
  },
};
