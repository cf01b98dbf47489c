// Measured memory: the process RSS, sampled every few ms on its own thread during a run.
import { readFileSync, writeFileSync } from "node:fs";
import process from "node:process";
import { collectGarbage } from "./gc.mjs";
import { trimHeap } from "./native.mjs";
import { Worker } from "node:worker_threads";
export { collectGarbage };

export interface RssSample {
  /** Epoch ms (same clock as runtime/host/workers.ts clockMs). */
  atMs: number;
  rssBytes: number;
}

/**
 * Gives back what the calling thread let go: a full collection, a pause for the collector's background threads
 * (V8 frees dead ArrayBuffers' memory off the thread, after `gc` returns), then the C library's free heap back
 * to the system. A first run splits its models in its own process, and the protobuf buffers it dropped were
 * still waiting for the collector at its first load: 104-108 MiB of RSS there against 68-72 MiB in a run that
 * found its models split (faces, Node). With a collection and a trim at once it was 84-108 (the trim ran before
 * the buffers were freed); with a 20-100 ms pause between them 83-85 in 5 runs.
 */
export async function settleHeap(): Promise<void> {
  collectGarbage();
  await new Promise((resolve) => setTimeout(resolve, SETTLE_PAUSE_MS));
  trimHeap();
}
const SETTLE_PAUSE_MS = 50;

/** The process RSS now. */
export function rssBytes(): number {
  return process.memoryUsage.rss();
}

/**
 * Starts the kernel's record of the process's peak RSS over (Linux: "5" into /proc/self/clear_refs resets
 * VmHWM to the RSS now); false where it cannot be asked. Samples taken every few ms can miss a peak that
 * lasts less; the kernel's high-water mark does not.
 */
export function resetPeakRss(): boolean {
  try {
    writeFileSync("/proc/self/clear_refs", "5");
    return true;
  } catch {
    return false;
  }
}

/** The kernel's peak RSS of the process since the last resetPeakRss (VmHWM), or null where there is none. */
export function kernelPeakRss(): number | null {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync("/proc/self/status", "latin1"));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

export interface RssRecording {
  samples: RssSample[];
  peakRssBytes: number;
}

/** A running sampler; `stop` returns every sample taken. */
export interface RssSampler {
  stop(): Promise<RssRecording>;
}

export interface RssSamplerOptions {
  /**
   * Where samples are taken. "thread" (default): a worker thread of its own, so samples keep coming while
   * the main thread is blocked (the baseline loop runs onnxruntime on it); the thread is part of the RSS
   * (measured: +8 MiB under Node, +6 under Bun, +17 under Deno; runtime/execute/README.md). "main": a timer
   * on the main thread, for runs whose main thread only dispatches (the scheduled runs: onnxruntime runs in
   * the session workers), which costs no thread.
   */
  on?: "thread" | "main";
}

/** Starts sampling every `intervalMs`; the first sample is taken at once. */
export async function startRssSampler(intervalMs = 2, options: RssSamplerOptions = {}): Promise<RssSampler> {
  if (options.on === "main") return mainThreadSampler(intervalMs);
  const url = new URL("./rss-worker.mjs", import.meta.url);
  const worker = new Worker(url, { execArgv: [] }); // no `--import tsx` in this thread: it needs no loader
  await new Promise<void>((resolve, reject) => {
    worker.once("message", () => resolve());
    worker.once("error", reject);
  });
  worker.postMessage({ op: "start", intervalMs });
  let stopped: Promise<RssRecording> | undefined;
  return {
    stop() {
      stopped ??= new Promise<RssRecording>((resolve, reject) => {
        worker.once("message", (message: { atMs: Float64Array; bytes: Float64Array }) => {
          const samples: RssSample[] = [];
          let peakRssBytes = 0;
          for (let i = 0; i < message.atMs.length; i++) {
            const bytes = message.bytes[i]!;
            samples.push({ atMs: message.atMs[i]!, rssBytes: bytes });
            if (bytes > peakRssBytes) peakRssBytes = bytes;
          }
          void worker.terminate();
          resolve({ samples, peakRssBytes });
        });
        worker.once("error", reject);
        worker.postMessage({ op: "stop" });
      });
      return stopped;
    },
  };
}

function mainThreadSampler(intervalMs: number): RssSampler {
  const samples: RssSample[] = [];
  let peakRssBytes = 0;
  const sample = () => {
    const bytes = rssBytes();
    samples.push({ atMs: performance.timeOrigin + performance.now(), rssBytes: bytes });
    if (bytes > peakRssBytes) peakRssBytes = bytes;
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  let stopped: RssRecording | undefined;
  return {
    stop() {
      if (!stopped) {
        clearInterval(timer);
        sample();
        stopped = { samples, peakRssBytes };
      }
      return Promise.resolve(stopped);
    },
  };
}
