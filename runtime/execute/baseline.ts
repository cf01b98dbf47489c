// The plain onnxruntime-node loops a user writes without Mema's scheduler, on the main thread, one network
// after another, each in a whole-model session; the benchmarks' baselines:
//   naive:    per arriving network, create a session from the model file as given, run, release;
//   careful:  the same, from a whole-model file whose weights are external data (onnxruntime maps them
//             instead of parsing them out of the protobuf, which holds them twice while loading);
//   resident: each network's external-data session created at its first arrival and kept for the run (the
//             kernel pages its weights in and out as memory allows).
import { type NetworkTimes, runReport } from "../report/run-report.ts";
import type { MemorySample, RunReport, StepRecord } from "../report/types.ts";
import type { ArrivalSchedule } from "../schedule/arrivals.ts";
import { lowerBoundMs } from "../schedule/metrics.ts";
import { networkFacts } from "../schedule/network.ts";
import { createSession, hostTensor, type HostTensor } from "../host/onnxruntime.ts";
import { ortSessionOptions } from "../host/ort-options.ts";
import { rssBytes, startRssSampler } from "../host/rss.ts";
import type { SessionSettings, TensorData, TensorPayload } from "../host/session-protocol.ts";
import { processReadBytes, threadReadBytes } from "../host/native.mjs";
import { startDeviceFigures } from "./device-figures.ts";
import { clockMs } from "../host/workers.ts";
import type { RealNetwork } from "./executor.ts";
import { mergeMemorySamples } from "./memory-samples.ts";
import { copyTensor, outputDigest, top1 } from "./tensors.ts";

import type { BaselineKind } from "./baseline-kinds.ts";

export { BASELINE_KINDS, type BaselineKind } from "./baseline-kinds.ts";

export interface BaselineOptions {
  /** Default "naive". */
  kind?: BaselineKind;
  session: SessionSettings;
  seed?: number;
  rssIntervalMs?: number;
  /** Checked between networks: the loop stops, the report is partial. */
  signal?: AbortSignal;
  onProgress?(progress: { stepsDone: number; stepsTotal: number; networksDone: number; networksTotal: number; elapsedMs: number }): void;
}

/** Runs every arrival's networks one after another, each in a whole-model session (created per `options.kind`). */
export async function runBaseline(
  pipeline: string,
  networks: RealNetwork[],
  arrivals: ArrivalSchedule,
  options: BaselineOptions,
): Promise<RunReport> {
  const sampler = await startRssSampler(options.rssIntervalMs ?? 2);
  const baselineRssBytes = rssBytes();
  const device = startDeviceFigures();
  const t0 = clockMs();
  const now = () => clockMs() - t0;
  const steps: StepRecord[] = [];
  const records: NetworkTimes[] = [];
  const memory: MemorySample[] = [{ atMs: 0, accountedBytes: 0 }];
  const perName = new Map<string, number>();
  const measured = networks.map(() => ({ load: 0, exec: 0, runs: 0 }));
  const total = arrivals.arrivals.reduce((n, a) => n + a.networks.length, 0);
  let peakAccountedBytes = 0;
  let lastAdmissionMs = 0;
  let interrupted = false;
  const admissions: { admittedMs: number; gapMs: number; networks: number[] }[] = [];
  const sessionOptions = ortSessionOptions(options.session);
  const kind = options.kind ?? "naive";
  // The file each network's session is created from; resident sessions by network index.
  const fileOf = (network: RealNetwork) => (kind === "naive" ? network.model.path : (network.wholePath ?? network.model.path));
  const resident = new Map<number, Awaited<ReturnType<typeof createSession>>>();
  let residentBytes = 0;
  const readBefore = processReadBytes();

  outer: for (const arrival of arrivals.arrivals) {
    const due = arrivals.absolute ? arrival.gapMs : lastAdmissionMs + arrival.gapMs;
    // Batch rounds (gated) are admitted once the previous round ended, which a sequential loop guarantees.
    const admittedMs = arrivals.gated ? Math.max(due, now()) : due;
    lastAdmissionMs = admittedMs;
    admissions.push({ admittedMs, gapMs: arrival.gapMs, networks: [] });
    for (const index of arrival.networks) {
      if (options.signal?.aborted) {
        interrupted = true;
        break outer;
      }
      const wait = admittedMs - now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const network = networks[index]!;
      admissions[admissions.length - 1]!.networks.push(index);
      const instance = perName.get(network.name) ?? 0;
      perName.set(network.name, instance + 1);
      const record = (step: StepRecord["kind"], startMs: number, endMs: number, bytes: number, readBytes?: number, kept = false) =>
        steps.push({
          network: network.name,
          instance,
          layer: step === "init" ? "" : "*",
          kind: step,
          worker: 0,
          startMs,
          endMs,
          bytes,
          ...(readBytes !== undefined ? { readBytes } : {}),
          ...(kept ? { resident: true } : {}),
        });
      const readSince = (before: number | null) => {
        const after = threadReadBytes();
        return before === null || after === null ? undefined : after - before;
      };
      const inputBytes = network.model.inputs.reduce((n, t) => n + t.bytes, 0);
      const outputBytes = network.model.outputs.reduce((n, t) => n + t.bytes, 0);
      const account = (bytes: number) => {
        peakAccountedBytes = Math.max(peakAccountedBytes, bytes);
        memory.push({ atMs: now(), accountedBytes: bytes });
      };

      const startMs = now();
      const feeds: Record<string, HostTensor> = {};
      for (const [name, tensor] of Object.entries(network.input)) {
        const copy = copyTensor(tensor);
        feeds[name] = hostTensor(copy.dtype, copy.data, copy.dims);
      }
      const initEnd = now();
      record("init", startMs, initEnd, inputBytes);
      account(residentBytes + inputBytes);
      let readStart = threadReadBytes();
      let session = kind === "resident" ? resident.get(index) : undefined;
      const kept = session !== undefined;
      if (!session) {
        session = await createSession(fileOf(network), sessionOptions);
        if (kind === "resident") {
          resident.set(index, session);
          residentBytes += network.model.weightsBytes;
        }
      }
      const loadEnd = now();
      record("load", initEnd, loadEnd, kept ? 0 : network.model.weightsBytes, kept ? 0 : readSince(readStart), kept);
      account(residentBytes + inputBytes + (kind === "resident" ? 0 : network.model.weightsBytes));
      readStart = threadReadBytes();
      let produced: Record<string, HostTensor>;
      try {
        produced = await session.run(feeds);
      } finally {
        if (kind !== "resident") await session.release();
      }
      const execEnd = now();
      record("exec", loadEnd, execEnd, outputBytes, readSince(readStart));
      const freeEnd = now();
      record("free", execEnd, freeEnd, 0);
      account(residentBytes);
      const outputs: Record<string, TensorPayload> = {};
      for (const name of network.model.outputs.map((t) => t.name)) {
        const tensor = produced[name]!;
        outputs[name] = { dtype: tensor.type, dims: [...tensor.dims], data: tensor.data as TensorData };
      }
      const answer: NetworkTimes = {
        name: network.name,
        instance,
        arrivalMs: admittedMs,
        startMs,
        endMs: freeEnd,
        outputDigest: await outputDigest(outputs),
      };
      const first = outputs[network.model.outputs[0]!.name];
      if (network.classifier && first) answer.top1 = top1(first);
      records.push(answer);
      const m = measured[index]!;
      m.load += loadEnd - initEnd;
      m.exec += execEnd - loadEnd;
      m.runs++;
      options.onProgress?.({ stepsDone: steps.length, stepsTotal: total * 4, networksDone: records.length, networksTotal: total, elapsedMs: now() });
    }
  }
  for (const session of resident.values()) await session.release();
  const readAfter = processReadBytes();
  const figures = device.finish();
  const recording = await sampler.stop();
  const facts = networks.map((network, i) => {
    const m = measured[i]!;
    const runs = Math.max(1, m.runs);
    return networkFacts({
      name: network.name,
      inputBytes: 0,
      initMs: 0,
      layers: [{ name: "*", weightsBytes: network.model.weightsBytes, activationBytes: 0, inputs: [-1], loadMs: m.load / runs, execMs: m.exec / runs, heavy: "memory" }],
    });
  });
  return runReport({
    pipeline,
    policy: "baseline",
    baseline: kind,
    memoryBudgetBytes: null,
    workers: 1,
    simulated: false,
    seed: options.seed ?? 0,
    lowerBoundMs: lowerBoundMs({
      arrivals: admissions.map((a) => ({ admittedMs: a.admittedMs, gapMs: a.gapMs, networks: a.networks.map((i) => facts[i]!) })),
      sequentialRounds: arrivals.gated && !arrivals.absolute,
      execLanes: 1,
      totalLanes: 1,
    }),
    peakAccountedBytes,
    ...(readBefore !== null && readAfter !== null ? { readBytes: readAfter - readBefore } : {}),
    ...(figures ? { device: figures } : {}),
    baselineRssBytes,
    peakRssBytes: Math.max(baselineRssBytes, recording.peakRssBytes),
    lanes: 1,
    networks: records,
    steps,
    memory: mergeMemorySamples(memory, recording.samples.map((s) => ({ atMs: s.atMs - t0, rssBytes: s.rssBytes }))),
    // The loop stops between networks: the last one's end is where it stopped.
    ...(interrupted ? { stoppedAtMs: Math.max(0, ...records.map((r) => r.endMs)) } : {}),
  });
}
