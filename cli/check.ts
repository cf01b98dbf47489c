// `mema check FILE...`: every diagnostic of every file (syntax, names, units, imports, model files).
import { check, compile, type CompileResult, renderDiagnostics } from "../lang/index.ts";
import { fileHost } from "../runtime/host/files.ts";
import { type Command, type CommandContext, errorLine, forTerminal, UsageError } from "./command.ts";

/** `--set NAME=VALUE` flags as an overrides record (values are .mema expressions). */
export function parseSetFlags(values: CommandContext["values"]): Record<string, string> {
  const raw = values["set"];
  const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  const overrides: Record<string, string> = {};
  for (const item of list) {
    const text = String(item);
    const eq = text.indexOf("=");
    const name = text.slice(0, eq).trim();
    if (eq <= 0 || !/^[A-Za-z_][A-Za-z0-9_-]*$/.test(name))
      throw new UsageError(`--set expects NAME=VALUE (a let name, then a .mema value), got '${text}'`);
    overrides[name] = text.slice(eq + 1);
  }
  return overrides;
}

/** Renders diagnostics as lang/ does: at most MAX_SHOWN_DIAGNOSTICS per file (lang/limits.ts), then a count. */
export function renderForTerminal(result: Pick<CompileResult, "diagnostics" | "files">): string {
  return renderDiagnostics(result.diagnostics, (f) => result.files.get(f));
}

/** Reads and compiles (or only checks) one file; unreadable files are a one-line usage error. */
export function compileFile(file: string, overrides: Record<string, string>, withPlan: boolean): CompileResult {
  const host = fileHost();
  const text = host.readText(file);
  if (text === undefined) throw new UsageError(`cannot read '${file}': no such file`, "E_FILE");
  if (typeof text !== "string") throw new UsageError(`cannot read '${file}': it is ${text.problem}`, "E_FILE");
  const options = { file, host, overrides };
  return withPlan ? compile(text, options) : { ...check(text, options) };
}

export const command: Command = {
  name: "check",
  summary: "check .mema (or YAML/JSON) files and report every error",
  usage: `mema check FILE... [--set NAME=VALUE]...

Checks each file (.mema, or .yaml/.yml/.json) and prints every error found, with its position:
  FILE:LINE:COL: error[CODE]: message
Exit status: 0 when every file is clean, 1 otherwise (diagnostics on stderr).

Options:
  --set NAME=VALUE  replace the top-level 'let NAME' with VALUE (a .mema value, e.g. 256MiB)
  -h, --help        show this help`,
  options: { set: { type: "string", multiple: true } },
  async run(ctx) {
    if (ctx.positionals.length === 0) throw new UsageError("mema check needs at least one FILE\n\n" + command.usage);
    const overrides = parseSetFlags(ctx.values);
    let failed = false;
    for (const file of ctx.positionals) {
      let result: CompileResult;
      try {
        result = compileFile(file, overrides, false);
      } catch (error) {
        if (!(error instanceof UsageError)) throw error;
        ctx.err(errorLine("check", error.code, error.message));
        failed = true;
        continue;
      }
      if (result.diagnostics.length > 0) {
        failed = true;
        ctx.err(renderForTerminal(result));
      } else ctx.out(`${forTerminal(file)}: ok\n`);
    }
    return failed ? 1 : 0;
  },
};
