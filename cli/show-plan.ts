// `mema plan FILE [--set NAME=VALUE]... [--json]`: the compiled plan, as a summary or as JSON.
import type { ArrivalsPlan, PipelinePlan, Plan } from "../lang/plan.ts";
import { type Command, UsageError } from "./command.ts";
import { compileFile, parseSetFlags, renderForTerminal } from "./check.ts";

function bytesText(bytes: number | null): string {
  if (bytes === null) return "unlimited";
  if (bytes % 2 ** 30 === 0) return `${bytes / 2 ** 30}GiB`;
  if (bytes % 2 ** 20 === 0) return `${bytes / 2 ** 20}MiB`;
  if (bytes % 1e9 === 0) return `${bytes / 1e9}GB`;
  if (bytes % 1e6 === 0) return `${bytes / 1e6}MB`;
  return `${bytes}B`;
}

function arrivalsText(a: ArrivalsPlan): string {
  const pick = a.pick ? `, each picks ${a.pick.count} random model(s) (seed ${a.pick.seed})` : "";
  switch (a.kind) {
    case "batch":
      return `batch: ${a.rounds} round(s), gap ${a.gapMs} ms${pick}`;
    case "periodic":
      return `every ${a.periodMs} ms, ${a.count} arrival(s)${pick}`;
    case "normal":
      return `normal gaps: mean ${a.meanMs} ms, sd ${a.stddevMs} ms, ${a.count} arrival(s), seed ${a.seed}${pick}`;
    case "poisson":
      return `poisson gaps: mean ${a.meanMs} ms, ${a.count} arrival(s), seed ${a.seed}${pick}`;
    case "times":
      return `gaps [${a.timesMs.join(", ")}] ms${pick}`;
  }
}

function pipelineText(p: PipelinePlan): string {
  const lines = [`pipeline ${p.name}`];
  for (const m of p.models) {
    const from = m.source.kind === "zoo" ? `zoo ${m.source.network}` : m.source.path;
    const input = m.input.kind === "image" ? `image ${m.input.path}` : `synthetic input, seed ${m.input.seed}`;
    lines.push(`  model ${m.name}: ${from}; ${input}`);
  }
  lines.push(`  arrivals: ${arrivalsText(p.arrivals)}`);
  if (Object.keys(p.session).length > 0) lines.push(`  session: ${JSON.stringify(p.session)}`);
  lines.push(`  ${p.runs.length} run(s):`);
  for (const r of p.runs) lines.push(`    memory ${bytesText(r.memoryBytes)}, policy ${r.policy}, workers ${r.workers}`);
  return lines.join("\n");
}

export function planText(plan: Plan): string {
  return plan.pipelines.map(pipelineText).join("\n\n") + "\n";
}

export const command: Command = {
  name: "plan",
  summary: "compile a .mema (or YAML/JSON) file and print its plan",
  usage: `mema plan FILE [--set NAME=VALUE]... [--json]

Compiles FILE and prints its plan: models, arrivals and every run of the sweep.
With --json, prints one JSON document valid against 'mema schema' (sizes in bytes, durations in ms).

Options:
  --set NAME=VALUE  replace the top-level 'let NAME' with VALUE (a .mema value, e.g. 256MiB)
  --json            print the plan as JSON
  -h, --help        show this help`,
  options: { set: { type: "string", multiple: true }, json: { type: "boolean" } },
  async run(ctx) {
    if (ctx.positionals.length !== 1) throw new UsageError("mema plan needs exactly one FILE\n\n" + command.usage);
    const file = ctx.positionals[0]!;
    const result = compileFile(file, parseSetFlags(ctx.values), true);
    if (!result.plan) {
      ctx.err(renderForTerminal(result));
      return 1;
    }
    ctx.out(ctx.values["json"] ? JSON.stringify(result.plan, null, 2) + "\n" : planText(result.plan));
    return 0;
  },
};
