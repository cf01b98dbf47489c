// Imported before onnxruntime-node loads anywhere: turns off its telemetry, which otherwise writes a debug log
// /tmp/mat-debug-PID.log and a database under ~/.cache/Microsoft/DeveloperTools/.onnxruntime/ on every start.
// onnxruntime 1.30 reads ORT_DISABLE_TELEMETRY with getenv when it creates its environment: Node and Deno pass a
// process.env assignment on to the C library's environment (worker threads share it); Bun keeps process.env to
// itself, so there the variable is set with libc's setenv (through koffi) as well. A value the user set wins.
import { currentRuntime } from "../platform.ts";
import { setNativeEnvDefault } from "./native.mjs";

process.env.ORT_DISABLE_TELEMETRY ??= "1";
if (currentRuntime() === "bun") setNativeEnvDefault("ORT_DISABLE_TELEMETRY", process.env.ORT_DISABLE_TELEMETRY);
