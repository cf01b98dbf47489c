// The shape of a CLI subcommand, and the one error class whose message the CLI prints without a stack.
import type { ParseArgsConfig } from "node:util";
import { escapeForTerminal } from "../lang/diagnostics.ts";
import type { Plugins } from "../runtime/plugins.ts";

export interface CommandContext {
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  positionals: string[];
  /** Write to stdout / stderr (tests capture them). */
  out(text: string): void;
  err(text: string): void;
  /** The terminal's width when stdout is one (wide tables wrap to it). */
  columns?: number;
  /** Policies, zoo, device profiles and presets for the runtime (cli/main.ts: stdlib's, loaded on first call). */
  plugins(): Promise<Plugins>;
}

export interface Command {
  name: string;
  /** Unused: the registry in cli/main.ts holds each command's one-line summary (so --help loads no command). */
  summary?: string;
  /** Usage text printed by --help, first line "mema NAME ...". */
  usage: string;
  options: NonNullable<ParseArgsConfig["options"]>;
  /**
   * String options whose value may be left out (`--baseline` alone): the value a bare flag takes, and which
   * next arguments are its value rather than a positional (`--baseline careful` vs `--baseline FILE`).
   */
  bareFlags?: Record<string, { value: string; takes: RegExp }>;
  run(ctx: CommandContext): Promise<number>;
}

/** `argv` with every bare flag of `command` given its value explicitly (`--baseline` -> `--baseline=`). */
export function withBareFlags(argv: readonly string[], command: Command): string[] {
  const bare = command.bareFlags;
  if (!bare) return [...argv];
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const flag = arg.startsWith("--") ? bare[arg.slice(2)] : undefined;
    if (flag && !(argv[i + 1] !== undefined && flag.takes.test(argv[i + 1]!))) out.push(`${arg}=${flag.value}`);
    else out.push(arg);
  }
  return out;
}

/** A failure the user caused (bad flag, missing file): printed as one line, exit code `exitCode`. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly code = "E_USAGE",
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = "UsageError";
  }
}

/**
 * `text` (an error message, a file name) safe to print: control characters, ESC above all, shown escaped as in
 * lang's excerpts, so that a flag value or file name cannot drive the terminal. A usage text appended after a
 * blank line is the CLI's own and keeps its lines.
 */
export function forTerminal(text: string): string {
  const usageAt = text.indexOf("\n\nmema ");
  return usageAt < 0 ? escapeForTerminal(text) : escapeForTerminal(text.slice(0, usageAt)) + text.slice(usageAt);
}

/** The one line a command prints for a user's error: `mema NAME: error[CODE]: message`, escaped. */
export function errorLine(command: string, code: string, message: string): string {
  return `mema ${escapeForTerminal(command)}: error[${code}]: ${forTerminal(message)}\n`;
}

/**
 * The errors the libraries throw for bad input (each one line, most with a stable `code`): the CLI prints
 * them as it prints a UsageError. Matched by name so that the CLI needs none of their modules loaded.
 */
const INPUT_ERRORS = new Set(["ModelError", "ZooError", "SchedulingError", "ProfileError", "PrototxtError", "RealRunInputError", "SessionOptionError", "ImageInputError", "LayerRunError"]);

/** `error` as a UsageError when it is one of the user's mistakes, else undefined (a bug: let its stack show). */
export function asUsageError(error: unknown): UsageError | undefined {
  if (error instanceof UsageError) return error;
  if (!(error instanceof Error) || !INPUT_ERRORS.has(error.name)) return undefined;
  const code = (error as { code?: unknown }).code;
  return new UsageError(error.message, typeof code === "string" ? code : "E_INPUT");
}

/** The one positional argument a command takes (`what` says what it is, e.g. "MODEL: an .onnx file ..."). */
export function onlyArgument(ctx: CommandContext, command: string, what: string): string {
  const [first, extra] = ctx.positionals;
  if (first === undefined) throw new UsageError(`missing ${what}`);
  if (extra !== undefined) throw new UsageError(`unexpected argument '${extra}': mema ${command} takes one ${what.replace(/:.*$/, "")}`);
  return first;
}
