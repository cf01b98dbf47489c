// Measured memory: the process RSS, sampled every few ms on its own thread during a run.
import process from "node:process";
import { Worker } from "node:worker_threads";
import { currentRuntime } from "../platform.ts";

export interface RssSample {
  /** Epoch ms (same clock as runtime/host/workers.ts clockMs). */
  atMs: number;
  rssBytes: number;
}

/** The process RSS now. */
export function rssBytes(): number {
  return process.memoryUsage.rss();
}

export interface RssRecording {
  samples: RssSample[];
  peakRssBytes: number;
}

/** A running sampler; `stop` returns every sample taken. */
export interface RssSampler {
  stop(): Promise<RssRecording>;
}

/**
 * Starts sampling every `intervalMs` on a dedicated worker thread, so samples keep coming while the
 * main thread is busy. The sampler's own thread is part of the RSS from before the first sample on.
 */
export async function startRssSampler(intervalMs = 2): Promise<RssSampler> {
  const url = new URL(currentRuntime() === "node" ? "./rss-worker.node.mjs" : "./rss-worker.ts", import.meta.url);
  const worker = new Worker(url);
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
