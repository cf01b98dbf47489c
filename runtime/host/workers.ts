// The session worker pool: one worker thread per lane, each owning the onnxruntime sessions it
// created; requests to one worker run in order, different workers run in parallel.
import "./ort-environment.ts"; // first: before onnxruntime-node starts
import { Worker } from "node:worker_threads";
import { ortSessionOptions } from "./ort-options.ts";
import type {
  ExecInput,
  ExecOutput,
  ExecResult,
  FileRange,
  LoadResult,
  SessionSettings,
  TensorData,
  TensorPayload,
  WorkerReply,
  WorkerRequest,
  WorkerStats,
} from "./session-protocol.ts";

export type { ExecInput, ExecOutput, ExecResult, FileRange, LoadResult, SessionSettings, TensorData, TensorPayload, WorkerStats };

/** A worker's answer with the worker's own clock around the work (epoch ms). */
export interface Timed<T> {
  value: T;
  startMs: number;
  endMs: number;
}

/** Epoch ms with sub-ms resolution, comparable with the workers' `startMs`/`endMs`. */
export function clockMs(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * The buffers to transfer for these tensors. A view on part of a buffer would move its neighbours
 * too, so such a tensor is replaced by a copy of its bytes. The sender must not use the arrays after.
 */
export function transferable(tensors: Record<string, TensorPayload>): { tensors: Record<string, TensorPayload>; transfer: ArrayBuffer[] } {
  const transfer: ArrayBuffer[] = [];
  const out: Record<string, TensorPayload> = {};
  for (const [name, payload] of Object.entries(tensors)) {
    let data = payload.data;
    const whole = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength;
    if (!whole || !(data.buffer instanceof ArrayBuffer) || transfer.includes(data.buffer)) data = data.slice() as TensorData;
    transfer.push(data.buffer as ArrayBuffer);
    out[name] = { dtype: payload.dtype, dims: payload.dims, data };
  }
  return { tensors: out, transfer };
}

/**
 * A request a session worker could not do (onnxruntime refused a file or a run, a file went missing, the
 * thread died): `op` says which request, `path` which file a load was given, `reason` onnxruntime's first line.
 * runtime/execute names the model and layer around it.
 */
export class WorkerRequestError extends Error {
  override name = "WorkerRequestError";
  constructor(
    readonly worker: number,
    readonly op: string,
    readonly reason: string,
    readonly path?: string,
  ) {
    super(`worker ${worker}: ${op}${path ? ` '${path}'` : ""}: ${reason}`);
  }
}

/** Plain JavaScript in every runtime: no TypeScript loader in the worker (see session-worker.mjs). */
const WORKER_URL = new URL("./session-worker.mjs", import.meta.url);

interface Pending {
  resolve(reply: WorkerReply): void;
  reject(error: Error): void;
}

/** One worker thread and its in-flight requests. */
class SessionWorker {
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private failure: Error | undefined;
  /** Requests sent and not yet answered. */
  busy = 0;

  private constructor(
    readonly index: number,
    private readonly worker: Worker,
  ) {
    worker.on("message", (reply: WorkerReply | { ready: true }) => {
      if ("ready" in reply) return;
      const pending = this.pending.get(reply.id);
      if (!pending) return;
      this.pending.delete(reply.id);
      this.busy--;
      pending.resolve(reply);
    });
    const fail = (error: Error) => {
      this.failure ??= error;
      for (const pending of this.pending.values()) pending.reject(error);
      this.pending.clear();
      this.busy = 0;
    };
    worker.on("error", (error: Error) => fail(new WorkerRequestError(index, "thread", `the worker thread failed: ${firstLine(error.message)}`)));
    worker.on("exit", (code) => fail(new WorkerRequestError(index, "thread", `the worker thread exited (code ${code})`)));
  }

  static start(index: number): Promise<SessionWorker> {
    // No execArgv: the parent's `--import tsx` would load the TypeScript loader in every worker for nothing.
    const worker = new Worker(WORKER_URL, { execArgv: [] });
    return new Promise((resolve, reject) => {
      const onReady = (message: unknown) => {
        if ((message as { ready?: boolean }).ready !== true) return;
        worker.off("message", onReady);
        worker.off("error", reject);
        resolve(new SessionWorker(index, worker));
      };
      worker.on("message", onReady);
      worker.once("error", reject);
    });
  }

  async call<T>(request: WorkerRequest, transfer: ArrayBuffer[] = []): Promise<Timed<T>> {
    if (this.failure) throw this.failure;
    const id = this.nextId++;
    const reply = await new Promise<WorkerReply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.busy++;
      this.worker.postMessage({ id, request }, transfer);
    });
    if (!reply.ok) throw new WorkerRequestError(this.index, request.op, firstLine(reply.error.message), request.op === "load" ? request.path : undefined);
    return { value: reply.value as T, startMs: reply.startMs, endMs: reply.endMs };
  }

  async terminate(): Promise<void> {
    this.failure ??= new Error(`session worker ${this.index} was terminated`);
    await this.worker.terminate();
  }
}

/** onnxruntime's messages run over several lines (a stack of its own, sometimes): the first one says what. */
function firstLine(message: string): string {
  return message.split("\n").map((line) => line.trim()).find((line) => line.length > 0) ?? "failed";
}

/** Worker threads that create, run and release onnxruntime sessions; addressed by index. */
export class SessionPool {
  private closed = false;

  private constructor(private readonly workers: SessionWorker[]) {}

  /** Starts `size` workers and waits until each has loaded onnxruntime. */
  static async open(size: number): Promise<SessionPool> {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`a session pool needs at least one worker, got ${size}`);
    const started = await Promise.allSettled(Array.from({ length: size }, (_, i) => SessionWorker.start(i)));
    const workers = started.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
    const failed = started.find((s): s is PromiseRejectedResult => s.status === "rejected");
    if (failed) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw failed.reason;
    }
    return new SessionPool(workers);
  }

  get size(): number {
    return this.workers.length;
  }

  /** Requests in flight on worker `index`. */
  busy(index: number): number {
    return this.at(index).busy;
  }

  private at(index: number): SessionWorker {
    const worker = this.workers[index];
    if (!worker) throw new RangeError(`no session worker ${index} (pool of ${this.workers.length})`);
    if (this.closed) throw new Error("the session pool is closed");
    return worker;
  }

  /**
   * Creates a session from an ONNX file on worker `index`, after reading `reads` (the file and its
   * weights) into memory; it lives there until `free`, which also drops those bytes from the page cache.
   */
  load(index: number, session: string, path: string, options: SessionSettings = {}, reads: FileRange[] = []): Promise<Timed<LoadResult>> {
    return this.at(index).call({ op: "load", session, path, reads, options, ortOptions: ortSessionOptions(options) });
  }

  /**
   * Runs a session on the worker that loaded it. Tensors given inline are transferred (the caller's
   * arrays are detached afterwards); held ones stay in the worker. Outputs come back by transfer or stay held.
   */
  exec(
    index: number,
    session: string,
    inputs: Record<string, ExecInput>,
    outputs: Record<string, ExecOutput>,
    drop: string[] = [],
  ): Promise<Timed<ExecResult>> {
    const inline: Record<string, TensorPayload> = {};
    for (const [name, input] of Object.entries(inputs)) if ("tensor" in input) inline[name] = input.tensor;
    const moved = transferable(inline);
    const request: Record<string, ExecInput> = {};
    for (const [name, input] of Object.entries(inputs)) request[name] = "tensor" in input ? { tensor: moved.tensors[name]! } : input;
    return this.at(index).call({ op: "exec", session, inputs: request, outputs, drop }, moved.transfer);
  }

  /** Releases a session (its native memory is returned when the arena is off) and drops its read bytes from the page cache. */
  free(index: number, session: string, drop = true): Promise<Timed<null>> {
    return this.at(index).call({ op: "free", session, drop });
  }

  /** Hands tensors to worker `index` to hold (transferred). */
  put(index: number, tensors: Record<string, TensorPayload>): Promise<Timed<null>> {
    const moved = transferable(tensors);
    return this.at(index).call({ op: "put", tensors: moved.tensors }, moved.transfer);
  }

  /** Moves held tensors from worker `index` to the caller (transferred, no longer held there). */
  take(index: number, keys: string[]): Promise<Timed<Record<string, TensorPayload>>> {
    return this.at(index).call({ op: "take", keys });
  }

  drop(index: number, keys: string[]): Promise<Timed<null>> {
    return this.at(index).call({ op: "drop", keys });
  }

  stats(index: number): Promise<Timed<WorkerStats>> {
    return this.at(index).call({ op: "stats" });
  }

  /** Releases every session and held tensor, then ends the threads. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    const workers = this.workers;
    // Let in-flight requests finish (onnxruntime cannot be interrupted), then release everything.
    await Promise.allSettled(workers.map((w) => w.call({ op: "close" })));
    this.closed = true;
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
