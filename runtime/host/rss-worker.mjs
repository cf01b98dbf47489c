// The RSS sampler's thread: reads the process RSS every few ms, independent of the main thread (which may
// be blocked, e.g. by the baseline loop running onnxruntime on it). Plain JavaScript, so that no runtime
// needs a TypeScript loader in this thread (tsx in a Node worker cost ~29 MiB of RSS; this costs ~2).
import { parentPort } from "node:worker_threads";
import process from "node:process";

const port = parentPort;
if (!port) throw new Error("rss-worker.mjs runs only as a worker thread");

const times = [];
const rss = [];
let timer;

function sample() {
  times.push(performance.timeOrigin + performance.now());
  rss.push(process.memoryUsage.rss());
}

port.on("message", (message) => {
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
