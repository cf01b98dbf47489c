// The messages between the main thread and a session worker (runtime/host/session-worker.mjs).
// Kept free of imports so both sides (and the type checker) share one definition.

/** The typed arrays onnxruntime hands out and accepts. */
export type TensorData =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array;

/** A tensor crossing threads: its buffer is transferred (moved), not copied. */
export interface TensorPayload {
  /** onnxruntime's type name: "float32", "int64", ... */
  dtype: string;
  dims: number[];
  data: TensorData;
}

/**
 * onnxruntime session options Mema sets. Defaults (runtime/host/session-options.ts) were measured on
 * a 2-core machine; arena and memory pattern are off so that `release` returns memory to the OS.
 */
export interface SessionSettings {
  intraOpNumThreads?: number;
  interOpNumThreads?: number;
  enableCpuMemArena?: boolean;
  enableMemPattern?: boolean;
  graphOptimizationLevel?: "disabled" | "basic" | "extended" | "all";
  executionMode?: "sequential" | "parallel";
  /**
   * onnxruntime's `session.disable_prepacking`: weights stay where they were mapped from the file instead of
   * being copied into packed buffers at create (which doubles a layer's memory while it loads).
   */
  disablePrepacking?: boolean;
}

/** An exec input: a tensor sent along, or one this worker holds from an earlier exec or `put`. */
export type ExecInput = { tensor: TensorPayload } | { held: string };

/** What to do with an exec output: send it back, or keep it in the worker under a key. */
export type ExecOutput = "return" | { hold: string };

export type WorkerRequest =
  | {
      op: "load";
      session: string;
      path: string;
      /**
       * Bytes to read into memory before creating the session (the layer file, its weights' ranges), so
       * that the session's mapped weights are in memory when it runs; released with the session, they are
       * dropped from the page cache again.
       */
      reads: FileRange[];
      options: SessionSettings;
      /** `options` resolved to onnxruntime's SessionOptions (ort-options.ts), which the worker passes on as is. */
      ortOptions: object;
    }
  | {
      op: "exec";
      session: string;
      inputs: Record<string, ExecInput>;
      outputs: Record<string, ExecOutput>;
      /** Held tensors to drop once the run is over (this was their last consumer here). */
      drop?: string[];
    }
  | {
      op: "free";
      session: string;
      /** Drop what the load read from the page cache (default true; false while another session uses the same bytes). */
      drop?: boolean;
    }
  | { op: "put"; tensors: Record<string, TensorPayload> }
  | { op: "take"; keys: string[] }
  | { op: "drop"; keys: string[] }
  | { op: "stats" }
  | { op: "close" };

/** Bytes `offset .. offset + length` of `file`. */
export interface FileRange {
  file: string;
  offset: number;
  length: number;
}

export interface LoadResult {
  inputNames: string[];
  outputNames: string[];
  /** Bytes the worker's thread read from storage during the load (Linux); absent where unknown. */
  readBytes?: number;
}

export interface ExecResult {
  /** Outputs asked for with "return". */
  outputs: Record<string, TensorPayload>;
  /** Bytes the worker's thread read from storage during the run (weights not in memory); absent where unknown. */
  readBytes?: number;
  /** Bytes of each output now held in the worker, by key. */
  held: Record<string, number>;
}

export interface WorkerStats {
  sessions: number;
  heldTensors: number;
  heldBytes: number;
}

/** Every reply carries the worker's own clock (epoch ms, sub-ms resolution) around the work. */
export type WorkerReply =
  | { id: number; ok: true; value: unknown; startMs: number; endMs: number }
  | { id: number; ok: false; error: { name: string; message: string } };

/** The first message a worker sends: onnxruntime is loaded and requests can come. */
export interface WorkerReady {
  ready: true;
}
