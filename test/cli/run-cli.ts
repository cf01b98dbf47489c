// Runs the CLI in-process with stdout and stderr captured: what each CLI test checks.
import assert from "node:assert/strict";
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

/** Each `[argv, pattern]` is a user's mistake: exit 1, one line on stderr matching `pattern`, no stack, no stdout. */
export async function assertOneLineErrors(cases: readonly (readonly [string[], RegExp])[]): Promise<void> {
  for (const [argv, pattern] of cases) {
    const r = await mema(...argv);
    const what = `mema ${argv.join(" ")}`;
    assert.equal(r.code, 1, what);
    assert.match(r.err, pattern, what);
    assert.equal(r.err.trim().split("\n").length, 1, `${what}: one line: ${r.err}`);
    assert.doesNotMatch(r.err, /^\s+at\s/m, what); // a stack frame line
    assert.equal(r.out, "", what);
  }
}
