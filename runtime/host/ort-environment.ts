// Imported before onnxruntime-node loads anywhere: turns off its telemetry, which otherwise writes a debug log
// /tmp/mat-debug-PID.log and a database under ~/.cache/Microsoft/DeveloperTools/.onnxruntime/ on every start.
// onnxruntime 1.30 reads ORT_DISABLE_TELEMETRY from the process environment when it creates its environment:
// Node and Deno pass a process.env assignment on to it (worker threads share the main thread's); Bun does not,
// so there it takes `ORT_DISABLE_TELEMETRY=1` in the environment that starts the process. A value the user set wins.
process.env.ORT_DISABLE_TELEMETRY ??= "1";
