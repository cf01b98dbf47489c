// A session worker: owns the onnxruntime sessions created on its thread (create and run block the
// thread they run on) and the activations it was told to hold; serves one request at a time.
// Plain JavaScript importing only onnxruntime-node, so that Node, Bun and Deno all start it without a
// TypeScript loader: registering tsx in a Node worker cost ~30 MiB of RSS per worker (runtime/execute/README.md).
// The messages are typed in session-protocol.ts; the session options arrive fully resolved (ort-options.ts).
import { parentPort } from "node:worker_threads";
import ort from "onnxruntime-node";

const port = parentPort;
if (!port) throw new Error("session-worker.mjs runs only as a worker thread");

/** @type {Map<string, ort.InferenceSession>} */
const sessions = new Map();
/** @type {Map<string, ort.Tensor>} */
const held = new Map();

const clockMs = () => performance.timeOrigin + performance.now();

/** The typed array arrived by transfer: wrapping it copies nothing. */
const toTensor = (payload) => new ort.Tensor(payload.dtype, payload.data, payload.dims);

const toPayload = (tensor) => ({ dtype: tensor.type, dims: [...tensor.dims], data: tensor.data });

/** Buffers that can move: whole, unshared ArrayBuffers; a partial view is copied first. */
function movable(payload, transfer) {
  let data = payload.data;
  const whole = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength;
  if (!whole || !(data.buffer instanceof ArrayBuffer)) data = data.slice();
  if (!transfer.includes(data.buffer)) transfer.push(data.buffer);
  return { dtype: payload.dtype, dims: payload.dims, data };
}

async function handle(request, transfer) {
  switch (request.op) {
    case "load": {
      if (sessions.has(request.session)) throw new Error(`session '${request.session}' is already loaded`);
      const session = await ort.InferenceSession.create(request.path, request.ortOptions);
      sessions.set(request.session, session);
      return { inputNames: [...session.inputNames], outputNames: [...session.outputNames] };
    }
    case "exec": {
      const session = sessions.get(request.session);
      if (!session) throw new Error(`session '${request.session}' is not loaded in this worker`);
      const feeds = {};
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
      const result = { outputs: {}, held: {} };
      for (const [name, spec] of Object.entries(request.outputs)) {
        const tensor = produced[name];
        if (!tensor) throw new Error(`session '${request.session}' produced no output '${name}'`);
        if (spec === "return") result.outputs[name] = movable(toPayload(tensor), transfer);
        else {
          held.set(spec.hold, tensor);
          result.held[spec.hold] = tensor.data.byteLength;
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
      const taken = {};
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
      for (const tensor of held.values()) heldBytes += tensor.data.byteLength;
      return { sessions: sessions.size, heldTensors: held.size, heldBytes };
    }
    case "close": {
      held.clear();
      const open = [...sessions.values()];
      sessions.clear();
      for (const session of open) await session.release();
      return null;
    }
    default:
      throw new Error(`unknown request '${request.op}'`);
  }
}

// Requests are served strictly in order: a worker is one lane.
let queue = Promise.resolve();
port.on("message", (message) => {
  queue = queue.then(async () => {
    const transfer = [];
    const startMs = clockMs();
    let reply;
    try {
      const value = await handle(message.request, transfer);
      reply = { id: message.id, ok: true, value, startMs, endMs: clockMs() };
    } catch (error) {
      reply = { id: message.id, ok: false, error: { name: error?.name ?? "Error", message: String(error?.message ?? error) } };
      transfer.length = 0;
    }
    port.postMessage(reply, transfer);
  });
});
port.postMessage({ ready: true });
