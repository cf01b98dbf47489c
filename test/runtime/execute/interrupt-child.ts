// A process that watches for signals as a real run does and waits: test/runtime/execute/interrupt.test.ts
// signals it. It says "ready" on stderr once it listens, and how it ends.
import { watchInterrupts } from "../../../runtime/execute/interrupt.ts";

const interruption = watchInterrupts({ say: (text) => void process.stderr.write(text) });
interruption.signal.addEventListener("abort", () => process.stderr.write(`aborted by ${interruption.by}, exit code ${interruption.exitCode}\n`));
// Stands for the running steps that onnxruntime cannot interrupt: the process stays busy until killed.
setInterval(() => {}, 1000);
process.stderr.write("ready\n");
