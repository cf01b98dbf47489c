// The CLI: parses the subcommand and its flags (node:util parseArgs, strict), loads the subcommand lazily.
import { parseArgs } from "node:util";
import { type Command, type CommandContext, UsageError } from "./command.ts";

/** Subcommands load on demand, so `mema check` never loads onnxruntime. */
const commands: Record<string, () => Promise<{ command: Command }>> = {
  run: () => import("./run.ts"),
  compare: () => import("./compare.ts"),
  layers: () => import("./layers.ts"),
  verify: () => import("./verify.ts"),
  profile: () => import("./profile.ts"),
  check: () => import("./check.ts"),
  plan: () => import("./plan.ts"),
  schema: () => import("./schema.ts"),
  fmt: () => import("./fmt.ts"),
  "import-caffe": () => import("./import-caffe.ts"),
};

const HELP = `mema: run several DNNs on one memory-constrained device

Usage: mema <command> [options]

Commands:
${"{commands}"}
Run 'mema <command> --help' for a command's options.`;

async function describeCommands(): Promise<string> {
  const lines: string[] = [];
  for (const [name, load] of Object.entries(commands)) {
    const { command } = await load();
    lines.push(`  ${name.padEnd(10)} ${command.summary}`);
  }
  return lines.join("\n") + "\n";
}

export interface Io {
  out(text: string): void;
  err(text: string): void;
}

const processIo: Io = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
};

/** Runs the CLI on `argv` (without the runtime and script); resolves to the exit code. */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    io.out(HELP.replace("{commands}", await describeCommands()) + "\n");
    return name === undefined ? 1 : 0;
  }
  if (name === "--version") {
    io.out("mema 0.1.0\n");
    return 0;
  }
  const load = commands[name];
  if (!load) {
    io.err(`mema: unknown command '${name}'. Commands: ${Object.keys(commands).join(", ")}\n`);
    return 1;
  }
  const { command } = await load();
  let ctx: CommandContext;
  try {
    const parsed = parseArgs({
      args: rest,
      options: { ...command.options, help: { type: "boolean", short: "h" } },
      allowPositionals: true,
      strict: true,
    });
    if (parsed.values.help) {
      io.out(command.usage.trimEnd() + "\n");
      return 0;
    }
    ctx = { values: parsed.values, positionals: parsed.positionals, out: io.out, err: io.err };
  } catch (error) {
    // parseArgs's messages name the flag; add the usage so the fix is on screen.
    io.err(`mema ${name}: ${(error as Error).message}\n\n${command.usage.trimEnd()}\n`);
    return 1;
  }
  try {
    return await command.run(ctx);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`mema ${name}: error[${error.code}]: ${error.message}\n`);
      return error.exitCode;
    }
    throw error;
  }
}
