// `--emulate SPEC` on run, compare and profile: this process stays outside and light, and runs the same command
// again inside cgroups (runtime/host/emulate.ts), on the same runtime, without --emulate.
import { existsSync } from "node:fs";
import { constants } from "node:os";
import { fileURLToPath } from "node:url";
import { cacheDir } from "../runtime/host/cache.ts";
import { type EmulatedResult, EmulationError, parseEmulation, runEmulated, sameRuntimeCommand } from "../runtime/host/emulate.ts";
import { currentRuntime, type RuntimeName } from "../runtime/platform.ts";
import { formatBudget, formatBytes } from "../runtime/report/quantity.ts";
import { type CommandContext, UsageError } from "./command.ts";

export const EMULATE_OPTION = { emulate: { type: "string" } } as const;

export const EMULATE_HELP = `  --emulate SPEC          run in cgroups as on a smaller device: rpi4, or memory=SIZE,read=RATE/s,cpus=N,cold=false
                          (keys combine with the preset: rpi4,memory=400MiB; needs root and cgroups; README)`;

/**
 * The least memory the CLI needs to start a command, per runtime: the smallest limit under which `mema profile`
 * of a 3-layer model (the CLI, the splitter and onnxruntime loaded, sessions run) still ended normally here,
 * with a cold page cache: Node 52 MiB, Bun 24 MiB, Deno 36 MiB; rounded up to the next 16 MiB, a margin for
 * other machines and versions. Below that the OOM killer ends the run before it does anything.
 */
export const STARTUP_MEMORY_BYTES: Readonly<Record<RuntimeName, number>> = {
  node: 64 * 2 ** 20,
  bun: 32 * 2 ** 20,
  deno: 48 * 2 ** 20,
};

/** parseArgs's tokens, as far as they are used here. */
type Token = { kind: string; name?: string; index: number; inlineValue?: boolean };

/** The command's arguments without any --emulate (`--emulate X` or `--emulate=X`), found through parseArgs's tokens. */
export function withoutEmulate(args: readonly string[], tokens: readonly Token[]): string[] {
  return withoutOptions(args, tokens, ["emulate"]);
}

/** The command's arguments without the options `names` (`--name X` or `--name=X`). */
function withoutOptions(args: readonly string[], tokens: readonly Token[], names: readonly string[]): string[] {
  const drop = new Set<number>();
  for (const t of tokens) {
    if (t.kind !== "option" || !names.includes(t.name!)) continue;
    drop.add(t.index);
    if (t.inlineValue === false) drop.add(t.index + 1);
  }
  return args.filter((_, i) => !drop.has(i));
}

/**
 * The line printed after the emulated command, and the exit code: the command's; 137 for an OOM kill; 128 + N
 * when the command ended by signal N, or was killed after a second signal N (Ctrl-C twice: 130) sent here.
 * When preparing outside the cgroup failed, nothing ran inside: its exit code, and a line only for a signal.
 */
export function emulationOutcome(result: EmulatedResult): { line: string | null; exitCode: number } {
  const code = (signal: NodeJS.Signals) => 128 + (constants.signals[signal] ?? 0);
  if (result.stage === "setup") {
    // Preparing failed or was stopped, and said why itself (a bad file, Ctrl-C while splitting): its exit code stands.
    if (result.signal === null) return { line: null, exitCode: result.exitCode ?? 1 };
    return { line: `mema: nothing emulated: preparing the models outside the cgroup was ended by ${result.signal}`, exitCode: code(result.signal) };
  }
  const c = result.counters;
  const limit = c.memoryLimitBytes === null ? "no limit" : formatBudget(c.memoryLimitBytes);
  const peak = c.memoryPeakBytes === null ? "peak memory unknown" : `peak memory ${formatBytes(c.memoryPeakBytes)} of ${limit}`;
  const read = c.readBytes === null ? "reads not counted" : `${formatBytes(c.readBytes)} read from storage`;
  const figures = `${peak}, ${read}, ${c.oomKills} OOM kill${c.oomKills === 1 ? "" : "s"}`;
  if (result.oomKilled) return { line: `mema: killed by the OOM killer (memory ${limit}): ${figures}`, exitCode: 137 };
  if (result.signal === "SIGKILL" && result.stoppedBy !== null) return { line: `mema: killed after a second ${result.stoppedBy}: ${figures}`, exitCode: code(result.stoppedBy) };
  if (result.signal !== null) return { line: `mema: ended by ${result.signal}: ${figures}`, exitCode: code(result.signal) };
  return { line: `mema: emulated device: ${figures}`, exitCode: result.exitCode ?? 1 };
}

/** Runs `mema COMMAND ARGS` (without --emulate) under `text`'s emulation; resolves to the exit code. */
export async function runEmulatedCommand(command: string, args: readonly string[], tokens: readonly Token[], ctx: CommandContext): Promise<number> {
  const text = ctx.values.emulate as string;
  try {
    let spec;
    try {
      spec = parseEmulation(text, (await ctx.plugins()).devicePresets);
    } catch (error) {
      if (error instanceof EmulationError) throw new EmulationError(`--emulate '${text}': ${error.message}`, error.code);
      throw error;
    }
    const runtime = currentRuntime();
    const floor = STARTUP_MEMORY_BYTES[runtime];
    if (spec.memoryBytes !== undefined && spec.memoryBytes < floor) {
      throw new EmulationError(
        `--emulate memory=${formatBudget(spec.memoryBytes).replace(" ", "")}: below the ${formatBudget(floor)} that mema needs to start under ${runtime}; give at least that plus the run's budget`,
        "E_EMULATE_MEMORY",
      );
    }
    // Reads to throttle: the cache (models, layer files) and the file named (scenario or model) with what sits by it.
    const paths = [cacheDir(), ...ctx.positionals.filter((p) => existsSync(p))];
    // The same entry as this module: bin/mema.ts from the sources, bin/mema.js when compiled (dist/).
    const entry = fileURLToPath(new URL(`../bin/mema.${import.meta.url.endsWith(".ts") ? "ts" : "js"}`, import.meta.url));
    const commandArgs = withoutEmulate(args, tokens);
    // A real run or a profile splits and caches its models first (a first run would split inside the limit,
    // which a large model does not fit): that part runs outside the cgroup, and the emulated command finds it
    // all cached.
    const splits = command === "profile" || ((command === "run" || command === "compare") && !ctx.values.simulate);
    const outputs = command === "profile" ? ["out"] : ["json", "csv", "timeline"];
    const quiet = command === "profile" ? [] : ["--quiet"];
    const setup = splits && !ctx.values.prepare ? sameRuntimeCommand(entry, [command, ...withoutOptions(args, tokens, ["emulate", ...outputs]), "--prepare", ...quiet]) : undefined;
    const result = await runEmulated(spec, sameRuntimeCommand(entry, [command, ...commandArgs]), {
      ...(setup ? { setup } : {}),
      paths,
      onStart: (description) => ctx.err(`mema: emulating ${description}\n`),
    });
    const outcome = emulationOutcome(result);
    if (outcome.line !== null) ctx.err(outcome.line + "\n");
    return outcome.exitCode;
  } catch (error) {
    if (error instanceof EmulationError) throw new UsageError(error.message, error.code, 2);
    throw error;
  }
}
