// `mema fmt FILE... [--check | --write]`: the canonical layout of .mema files, comments kept.
import { format, isConfigFile, renderDiagnostics } from "../lang/index.ts";
import { fileHost } from "../runtime/host/files.ts";
import { writeFileAtomically } from "../runtime/host/write-file.ts";
import { writingOutput } from "./output-paths.ts";
import { type Command, forTerminal, UsageError } from "./command.ts";

export const command: Command = {
  name: "fmt",
  summary: "format .mema files in the one canonical layout",
  usage: `mema fmt FILE... [--check | --write]

Formats .mema files: one statement per line, pipelines as 'pipeline NAME < ... >' (a '{ }' block
is rewritten), two-space indentation, ';' after each statement, normalised spacing; comments and
single blank lines are kept. Formatting twice changes nothing.
Without a flag, prints the formatted text.

Options:
  --check     print the files that are not formatted; exit 1 if there is any
  --write     rewrite the files in place
  -h, --help  show this help`,
  options: { check: { type: "boolean" }, write: { type: "boolean" } },
  async run(ctx) {
    if (ctx.positionals.length === 0) throw new UsageError("mema fmt needs at least one FILE\n\n" + command.usage);
    if (ctx.values["check"] && ctx.values["write"]) throw new UsageError("--check and --write exclude each other");
    const host = fileHost();
    let status = 0;
    for (const file of ctx.positionals) {
      if (isConfigFile(file)) throw new UsageError(`mema fmt formats .mema files; '${file}' is YAML/JSON`);
      const text = host.readText(file);
      if (text === undefined) throw new UsageError(`cannot read '${file}': no such file`, "E_FILE");
      if (typeof text !== "string") throw new UsageError(`cannot read '${file}': it is ${text.problem}`, "E_FILE");
      const result = format(text, file);
      if (result.text === undefined) {
        ctx.err(renderDiagnostics(result.diagnostics, () => text));
        status = 1;
        continue;
      }
      const changed = result.text !== text;
      if (ctx.values["check"]) {
        if (changed) {
          ctx.err(`${forTerminal(file)}: not formatted (run 'mema fmt --write ${forTerminal(file)}')\n`);
          status = 1;
        }
      } else if (ctx.values["write"]) {
        if (changed) {
          // Whole or not at all: an interrupted --write never leaves a half-written scenario.
          await writingOutput(() => writeFileAtomically(file, result.text!));
          ctx.out(`formatted ${file}\n`);
        }
      } else ctx.out(result.text);
    }
    return status;
  },
};
