// Ctrl-C (SIGINT) and SIGTERM during a real run, in every phase: the first stops the run (no new steps, the
// running ones end, sessions are released, what finished is reported); a later one ends the process at once
// by the signal's own default action, which cannot crash (process.exit tore down worker threads inside
// onnxruntime and aborted natively: "terminate called after throwing an instance of 'Napi::Error'").

export type StopSignal = "SIGINT" | "SIGTERM";

const SIGNAL_NUMBERS: Record<StopSignal, number> = { SIGINT: 2, SIGTERM: 15 };

/** Thrown where a run stops before it has anything to report (preparing models, starting workers). */
export class RunInterrupted extends Error {
  override name = "RunInterrupted";
  constructor(readonly phase: string) {
    super(`interrupted ${phase}`);
  }
}

export interface Interruption {
  /** Aborted at the first signal. */
  readonly signal: AbortSignal;
  /** The first signal received, if any. */
  readonly by: StopSignal | undefined;
  /** 128 + the signal's number (130 for Ctrl-C, 143 for SIGTERM); 0 while none came. */
  readonly exitCode: number;
  /** Stops listening (the signals' default actions are back). */
  dispose(): void;
}

export interface InterruptOptions {
  /** Status lines (stderr). */
  say(text: string): void;
  /**
   * A signal this soon after the first is the same keypress: the terminal sends Ctrl-C to the whole
   * process group and npx forwards it to its child again. Default 500 ms.
   */
  duplicateMs?: number;
}

/** Listens for SIGINT and SIGTERM until `dispose()`. */
export function watchInterrupts(options: InterruptOptions): Interruption {
  const controller = new AbortController();
  const duplicateMs = options.duplicateMs ?? 500;
  let by: StopSignal | undefined;
  let firstAtMs = 0;
  const listeners = new Map<StopSignal, () => void>();
  const dispose = () => {
    for (const [name, listener] of listeners) process.off(name, listener);
    listeners.clear();
  };
  const on = (name: StopSignal) => {
    if (by === undefined) {
      by = name;
      firstAtMs = performance.now();
      const key = name === "SIGINT" ? "Ctrl-C" : name;
      options.say(`\nmema: stopping (${key}): no new steps; waiting for the running ones, then releasing sessions (again to end at once)\n`);
      controller.abort();
      return;
    }
    if (performance.now() - firstAtMs < duplicateMs) return;
    options.say(`mema: ${name} again: ending now, without a report\n`);
    // The default action of the signal ends the process where it stands: no exit handlers, no teardown of
    // threads that onnxruntime is running in. Its status is the signal's (a shell shows 128 + its number).
    dispose();
    process.kill(process.pid, name);
  };
  for (const name of Object.keys(SIGNAL_NUMBERS) as StopSignal[]) {
    const listener = () => on(name);
    listeners.set(name, listener);
    process.on(name, listener);
  }
  return {
    signal: controller.signal,
    get by() {
      return by;
    },
    get exitCode() {
      return by === undefined ? 0 : 128 + SIGNAL_NUMBERS[by];
    },
    dispose,
  };
}
