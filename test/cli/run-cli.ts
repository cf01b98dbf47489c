// Runs the CLI in-process with stdout and stderr captured: what each CLI test checks.
import { type CommandEntry, main } from "../../cli/main.ts";

export interface CliResult {
  code: number;
  out: string;
  err: string;
}

/** `mema ...argv` through main(); `commands` replaces the registry (tests of --help). */
export async function runCli(argv: string[], commands?: Record<string, CommandEntry>): Promise<CliResult> {
  let out = "";
  let err = "";
  const code = await main(argv, { out: (t) => void (out += t), err: (t) => void (err += t) }, commands);
  return { code, out, err };
}

/** `mema(...argv)`: the same, as the command line reads. */
export const mema = (...argv: string[]): Promise<CliResult> => runCli(argv);
