// The shape of a CLI subcommand, and the one error class whose message the CLI prints without a stack.
import type { ParseArgsConfig } from "node:util";

export interface CommandContext {
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  positionals: string[];
  /** Write to stdout / stderr (tests capture them). */
  out(text: string): void;
  err(text: string): void;
}

export interface Command {
  name: string;
  summary: string;
  /** Usage text printed by --help, first line "mema NAME ...". */
  usage: string;
  options: NonNullable<ParseArgsConfig["options"]>;
  run(ctx: CommandContext): Promise<number>;
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
