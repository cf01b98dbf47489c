// A session worker: owns the onnxruntime sessions created on its thread (create and run block the
// thread they run on) and the activations it was told to hold; serves one request at a time.
import { parentPort } from "node:worker_threads";
import { createSession, type HostSession, type HostTensor, hostTensor } from "./onnxruntime.ts";
import { ortSessionOptions } from "./ort-options.ts";
import type {
  ExecResult,
  LoadResult,
  SessionSettings,
  TensorData,
  TensorPayload,
  WorkerReply,
  WorkerRequest,
  WorkerStats,
} from "./session-protocol.ts";

const port = parentPort;
if (!port) throw new Error("session-worker.ts runs only as a worker thread");

const sessions = new Map<string, HostSession>();
const held = new Map<string, HostTensor>();

const clockMs = () => performance.timeOrigin + performance.now();

function toTensor(payload: TensorPayload): HostTensor {
  // The typed array arrived by transfer: wrapping it copies nothing.
  return hostTensor(payload.dtype, payload.data, payload.dims);
}

function toPayload(tensor: HostTensor): TensorPayload {
  return { dtype: tensor.type, dims: [...tensor.dims], data: tensor.data as TensorData };
}

/** Buffers that can move: whole, unshared ArrayBuffers; a partial view is copied first. */
function movable(payload: TensorPayload, transfer: ArrayBuffer[]): TensorPayload {
  let data = payload.data;
  const whole = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength;
  if (!whole || !(data.buffer instanceof ArrayBuffer)) data = data.slice() as TensorData;
  if (!transfer.includes(data.buffer as ArrayBuffer)) transfer.push(data.buffer as ArrayBuffer);
  return { dtype: payload.dtype, dims: payload.dims, data };
}

async function handle(request: WorkerRequest, transfer: ArrayBuffer[]): Promise<unknown> {
  switch (request.op) {
    case "load": {
      if (sessions.has(request.session)) throw new Error(`session '${request.session}' is already loaded`);
      const session = await createSession(request.path, ortSessionOptions(request.options));
      sessions.set(request.session, session);
      const result: LoadResult = { inputNames: [...session.inputNames], outputNames: [...session.outputNames] };
      return result;
    }
    case "exec": {
      const session = sessions.get(request.session);
      if (!session) throw new Error(`session '${request.session}' is not loaded in this worker`);
      const feeds: Record<string, HostTensor> = {};
      for (const [name, input] of Object.entries(request.inputs)) {
        if ("held" in input) {
          const tensor = held.get(input.held);
          if (!tensor) throw new Error(`tensor '${input.held}' is not held in this worker`);
          feeds[name] = tensor;
        } else {
          feeds[name] = toTensor(input.tensor);
        }
      }
      const produced = await session.run(feeds, Object.keys(request.outputs));
      for (const key of request.drop ?? []) held.delete(key);
      const result: ExecResult = { outputs: {}, held: {} };
      for (const [name, spec] of Object.entries(request.outputs)) {
        const tensor = produced[name];
        if (!tensor) throw new Error(`session '${request.session}' produced no output '${name}'`);
        if (spec === "return") result.outputs[name] = movable(toPayload(tensor), transfer);
        else {
          held.set(spec.hold, tensor);
          result.held[spec.hold] = (tensor.data as TensorData).byteLength;
        }
      }
      return result;
    }
    case "free": {
      const session = sessions.get(request.session);
      if (!session) throw new Error(`session '${request.session}' is not loaded in this worker`);
      sessions.delete(request.session);
      await session.release();
      return null;
    }
    case "put": {
      for (const [key, payload] of Object.entries(request.tensors)) held.set(key, toTensor(payload));
      return null;
    }
    case "take": {
      const taken: Record<string, TensorPayload> = {};
      for (const key of request.keys) {
        const tensor = held.get(key);
        if (!tensor) throw new Error(`tensor '${key}' is not held in this worker`);
        held.delete(key);
        taken[key] = movable(toPayload(tensor), transfer);
      }
      return taken;
    }
    case "drop": {
      for (const key of request.keys) held.delete(key);
      return null;
    }
    case "stats": {
      let heldBytes = 0;
      for (const tensor of held.values()) heldBytes += (tensor.data as TensorData).byteLength;
      const stats: WorkerStats = { sessions: sessions.size, heldTensors: held.size, heldBytes };
      return stats;
    }
    case "close": {
      held.clear();
      const open = [...sessions.values()];
      sessions.clear();
      for (const session of open) await session.release();
      return null;
    }
  }
}

// Requests are served strictly in order: a worker is one lane.
let queue: Promise<void> = Promise.resolve();
port.on("message", (message: { id: number; request: WorkerRequest }) => {
  queue = queue.then(async () => {
    const transfer: ArrayBuffer[] = [];
    const startMs = clockMs();
    let reply: WorkerReply;
    try {
      const value = await handle(message.request, transfer);
      reply = { id: message.id, ok: true, value, startMs, endMs: clockMs() };
    } catch (error) {
      const { name, message: text } = error as Error;
      reply = { id: message.id, ok: false, error: { name: name ?? "Error", message: String(text ?? error) } };
      transfer.length = 0;
    }
    port.postMessage(reply, transfer);
  });
});
port.postMessage({ ready: true });
