// `mema schema`: the JSON Schema of plans and YAML/JSON documents, for editors and other tools.
import { configSchema, memaSchema, planSchema } from "../lang/index.ts";
import { type Command, UsageError } from "./command.ts";

export const command: Command = {
  name: "schema",
  summary: "print the JSON Schema of plans and YAML/JSON documents",
  usage: `mema schema [--only plan|document]

Prints the JSON Schema (draft-07) that 'mema plan --json' output and YAML/JSON documents satisfy.
Point an editor at it, e.g. '# yaml-language-server: $schema=mema.schema.json'.

Options:
  --only plan|document  print only the plan schema or only the document schema
  -h, --help            show this help`,
  options: { only: { type: "string" } },
  async run(ctx) {
    if (ctx.positionals.length > 0) throw new UsageError(`mema schema takes no arguments, got '${ctx.positionals[0]}'`);
    const only = ctx.values["only"];
    const schema =
      only === undefined ? memaSchema() : only === "plan" ? planSchema() : only === "document" ? configSchema() : undefined;
    if (!schema) throw new UsageError(`--only must be 'plan' or 'document', got '${String(only)}'`);
    ctx.out(JSON.stringify(schema, null, 2) + "\n");
    return 0;
  },
};
