// The RSS sampler's thread: reads the process RSS every few ms, independent of the main thread
// (which may be blocked, e.g. by the baseline loop running onnxruntime on it).
import { parentPort } from "node:worker_threads";
import process from "node:process";

const port = parentPort;
if (!port) throw new Error("rss-worker.ts runs only as a worker thread");

const times: number[] = [];
const rss: number[] = [];
let timer: ReturnType<typeof setInterval> | undefined;

function sample(): void {
  times.push(performance.timeOrigin + performance.now());
  rss.push(process.memoryUsage.rss());
}

port.on("message", (message: { op: "start"; intervalMs: number } | { op: "stop" }) => {
  if (message.op === "start") {
    sample();
    timer = setInterval(sample, message.intervalMs);
  } else {
    if (timer) clearInterval(timer);
    sample();
    const atMs = Float64Array.from(times);
    const bytes = Float64Array.from(rss);
    port.postMessage({ atMs, bytes }, [atMs.buffer, bytes.buffer]);
  }
});
port.postMessage({ ready: true });
