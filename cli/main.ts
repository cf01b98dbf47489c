// The CLI: parses the subcommand and its flags (node:util parseArgs, strict), loads the subcommand lazily.
import { parseArgs } from "node:util";
import type { Plugins } from "../runtime/plugins.ts";
import { asUsageError, type Command, type CommandContext, errorLine, forTerminal, withBareFlags } from "./command.ts";

/** A subcommand as the registry knows it: its one-line summary, and how to load it (only when it runs). */
export interface CommandEntry {
  summary: string;
  load(): Promise<{ command: Command }>;
}

/**
 * Every subcommand, with its summary: the single source of the summaries, so `mema --help` lists them
 * without loading any command module (and so onnxruntime), and `mema check` loads only cli/check.ts.
 */
export const COMMANDS: Record<string, CommandEntry> = {
  run: { summary: "run a scenario (--simulate: on a device profile) and report timings and memory", load: () => import("./run.ts") },
  compare: { summary: "compare policies and budgets on a scenario (every policy unless --policies)", load: () => import("./compare.ts") },
  layers: { summary: "show how a model splits into layers (weights, activations, flops)", load: () => import("./layers.ts") },
  verify: { summary: "check that running a model layer by layer gives the whole model's outputs", load: () => import("./verify.ts") },
  profile: { summary: "measure each layer's load and exec time on this machine (JSON for the simulator)", load: () => import("./profile.ts") },
  check: { summary: "check .mema (or YAML/JSON) files and report every error", load: () => import("./check.ts") },
  plan: { summary: "compile a .mema (or YAML/JSON) file and print its plan", load: () => import("./show-plan.ts") },
  schema: { summary: "print the JSON Schema of plans and YAML/JSON documents", load: () => import("./schema.ts") },
  fmt: { summary: "format .mema files in the one canonical layout", load: () => import("./fmt.ts") },
  "import-caffe": { summary: "turn a Caffe deploy prototxt into an ONNX model (seeded weights) that mema can split and run", load: () => import("./import-caffe.ts") },
};

/** `mema --help`: built from the registry alone. */
export function helpText(commands: Record<string, CommandEntry> = COMMANDS): string {
  const width = Math.max(...Object.keys(commands).map((name) => name.length)) + 2;
  const lines = Object.entries(commands).map(([name, entry]) => `  ${name.padEnd(width)}${entry.summary}`);
  return `mema: run several DNNs on one memory-constrained device

Usage: mema <command> [options]

Commands:
${lines.join("\n")}

Run 'mema <command> --help' for a command's options.
`;
}

export interface Io {
  out(text: string): void;
  err(text: string): void;
  columns?: number;
}

const processIo: Io = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
  columns: process.stdout.isTTY ? process.stdout.columns : undefined,
};

/** parseArgs's message as one line: its first sentence, plus what was expected. */
function optionErrorMessage(error: Error, command: Command): string {
  const flags = [...Object.keys(command.options).map((name) => `--${name}`), "--help"].join(", ");
  const ambiguous = /Option '([^']+)' argument is ambiguous/.exec(error.message);
  // `--cap -5MB`: parseArgs refuses a value that looks like a flag.
  if (ambiguous) return `option '${ambiguous[1]}' needs a value (one starting with '-' goes as ${ambiguous[1]}=VALUE)`;
  const unknown = /Unknown option '([^']+)'/.exec(error.message);
  if (unknown) return `Unknown option '${unknown[1]}'; expected one of ${flags}`;
  return error.message.split("\n")[0]!.trim();
}

/**
 * The CLI's composition root: the plug-ins every command hands to the runtime, stdlib's. Loaded on a command's
 * first call, so that `mema check` and `--help` load none of them.
 */
const stdlibPlugins = async (): Promise<Plugins> => (await import("../stdlib/index.ts")).stdlib;

/** Runs the CLI on `argv` (without the runtime and script); resolves to the exit code. */
export async function main(
  argv: string[],
  io: Io = processIo,
  commands: Record<string, CommandEntry> = COMMANDS,
  plugins: () => Promise<Plugins> = stdlibPlugins,
): Promise<number> {
  // `mema help run` reads as `mema run --help`.
  if (argv[0] === "help" && argv[1] !== undefined && Object.hasOwn(commands, argv[1])) argv = [argv[1], "--help"];
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    io.out(helpText(commands));
    return name === undefined ? 1 : 0;
  }
  if (name === "--version") {
    io.out("mema 0.1.0\n");
    return 0;
  }
  const entry = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!entry) {
    io.err(`mema: unknown command '${forTerminal(name)}'; expected one of ${Object.keys(commands).join(", ")} (mema --help)\n`);
    return 1;
  }
  const { command } = await entry.load();
  let ctx: CommandContext;
  let tokens: { kind: string; name?: string; index: number; inlineValue?: boolean }[];
  try {
    const parsed = parseArgs({
      args: withBareFlags(rest, command),
      options: { ...command.options, help: { type: "boolean", short: "h" } },
      allowPositionals: true,
      strict: true,
      tokens: true,
    });
    if (parsed.values.help) {
      io.out(command.usage.trimEnd() + "\n");
      return 0;
    }
    ctx = { values: parsed.values, positionals: parsed.positionals, out: io.out, err: io.err, columns: io.columns, plugins };
    tokens = parsed.tokens;
  } catch (error) {
    io.err(errorLine(name, "E_OPTION", `${optionErrorMessage(error as Error, command)} (mema ${name} --help)`));
    return 1;
  }
  try {
    // --emulate (run, compare, profile): the same command again, in cgroups, from cli/emulate.ts.
    if (typeof ctx.values.emulate === "string") {
      const { runEmulatedCommand } = await import("./emulate.ts");
      return await runEmulatedCommand(name, rest, tokens, ctx);
    }
    return await command.run(ctx);
  } catch (error) {
    const usage = asUsageError(error);
    if (!usage) throw error;
    io.err(errorLine(name, usage.code, usage.message));
    return usage.exitCode;
  }
}
