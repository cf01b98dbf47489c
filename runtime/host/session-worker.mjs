// A session worker: owns the onnxruntime sessions created on its thread (create and run block the
// thread they run on) and the activations it was told to hold; serves one request at a time.
// Plain JavaScript importing only onnxruntime-node, so that Node, Bun and Deno all start it without a
// TypeScript loader: registering tsx in a Node worker cost ~30 MiB of RSS per worker (runtime/execute/README.md).
// The messages are typed in session-protocol.ts; the session options arrive fully resolved (ort-options.ts).
import { parentPort } from "node:worker_threads";
import ort from "onnxruntime-node";
import { collectGarbage } from "./gc.mjs";
import { dropRanges, mapInPlace, readRanges, threadReadBytes, trimHeap } from "./native.mjs";

const port = parentPort;
if (!port) throw new Error("session-worker.mjs runs only as a worker thread");

/** @type {Map<string, { session: ort.InferenceSession, reads: { file: string, offset: number, length: number }[] }>} */
const sessions = new Map();
/** @type {Map<string, ort.Tensor>} */
const held = new Map();

/**
 * Bytes of tensors this worker let go since its last collection (inputs after their run, held tensors
 * dropped): native memory that only the collector gives back. Past GARBAGE_BYTES the worker collects, so
 * what a run frees is freed for real rather than when V8 happens to look (runtime/execute/README.md).
 */
let garbageBytes = 0;
const GARBAGE_BYTES = 8 << 20;

function letGo(tensor) {
  if (tensor) garbageBytes += tensor.data.byteLength;
}

const clockMs = () => performance.timeOrigin + performance.now();

/** The typed array arrived by transfer: wrapping it copies nothing. */
const toTensor = (payload) => (payload.dtype === "float16" ? halfTensor(payload.data, payload.dims) : new ort.Tensor(payload.dtype, payload.data, payload.dims));

/**
 * float16 data as onnxruntime-node's binding takes it: a Uint16Array (no copy). Under Bun and Deno,
 * onnxruntime-common keeps float16 data (its outputs too) in a Float16Array, which the binding refuses
 * ("not enough space: expected N, got 0"); runtime/host/onnxruntime.ts does the same for the main thread.
 */
function halfTensor(data, dims) {
  const tensor = new ort.Tensor("uint16", new Uint16Array(data.buffer, data.byteOffset, data.byteLength / 2), dims);
  tensor.type = "float16";
  return tensor;
}
const feedable = (tensor) => (tensor.type === "float16" && !(tensor.data instanceof Uint16Array) ? halfTensor(tensor.data, tensor.dims) : tensor);

const toPayload = (tensor) => ({ dtype: tensor.type, dims: [...tensor.dims], data: tensor.data });

/** Buffers that can move: whole, unshared ArrayBuffers; a partial view is copied first. */
function movable(payload, transfer) {
  let data = payload.data;
  const whole = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength;
  if (!whole || !(data.buffer instanceof ArrayBuffer)) data = data.slice();
  if (!transfer.includes(data.buffer)) transfer.push(data.buffer);
  return { dtype: payload.dtype, dims: payload.dims, data };
}

/**
 * Releases (and bytes of their weights) since this worker last gave free heap back. A trim after every release
 * cost more than it gave on the emulated rpi4 (0.4 CPU): it walks every arena, and the next session faults the
 * same pages back in, zeroed. Light at 1/4 of its weights (noisy single runs): 18.2 s trimming every release,
 * 15.9-17.0 s every 16 releases, 14.5-15.1 s never; peak RSS 157-164 MiB in each (reached while sessions are
 * live). Never trimming lets RSS climb with session churn (the soak in test/runtime/host/rss.test.ts: +24 MiB
 * over 36 cycles of creating and releasing a session); every 16 releases or 128 MiB it stays bounded.
 */
let releasedBytes = 0;
let releases = 0;
const TRIM_BYTES = 128 << 20;
const TRIM_RELEASES = 16;

/** Releases a session, then drops what its load read from the page cache: its weights' pages go back. */
async function release(loaded, drop = true) {
  await loaded.session.release();
  if (drop) dropRanges(loaded.reads);
  releases += 1;
  for (const read of loaded.reads) releasedBytes += read.length;
  if (releasedBytes >= TRIM_BYTES || releases >= TRIM_RELEASES) {
    releasedBytes = 0;
    releases = 0;
    trimHeap();
  }
}

async function handle(request, transfer) {
  switch (request.op) {
    case "load": {
      if (sessions.has(request.session)) throw new Error(`session '${request.session}' is already loaded`);
      const before = threadReadBytes();
      // onnxruntime maps external weights and reads them on first use, inside `run`: reading them here puts
      // the storage reads in the load step, where the scheduler overlaps them with other networks' execs.
      readRanges(request.reads ?? []);
      // onnxruntime's own log lines (a failed run logs an error) stay off the terminal: a failure comes back
      // as this request's error, which the main thread reports as one line naming the model and layer.
      const session = await ort.InferenceSession.create(request.path, { logSeverityLevel: 4, ...request.ortOptions });
      sessions.set(request.session, { session, reads: request.reads ?? [] });
      // The session mapped its weights without touching them: map the pages just read into its mapping, so
      // that reclaim (which takes unmapped cache first) leaves them to the exec (native.mjs mapInPlace).
      mapInPlace(request.reads ?? []);
      const after = threadReadBytes();
      const result = { inputNames: [...session.inputNames], outputNames: [...session.outputNames] };
      if (before !== null && after !== null) result.readBytes = after - before;
      return result;
    }
    case "exec": {
      const loaded = sessions.get(request.session);
      if (!loaded) throw new Error(`session '${request.session}' is not loaded in this worker`);
      const session = loaded.session;
      const feeds = {};
      for (const [name, input] of Object.entries(request.inputs)) {
        if ("held" in input) {
          const tensor = held.get(input.held);
          if (!tensor) throw new Error(`tensor '${input.held}' is not held in this worker`);
          feeds[name] = feedable(tensor);
        } else {
          feeds[name] = toTensor(input.tensor);
        }
      }
      const before = threadReadBytes();
      const produced = await session.run(feeds, Object.keys(request.outputs));
      const after = threadReadBytes();
      for (const [name, input] of Object.entries(request.inputs)) if (!("held" in input)) letGo(feeds[name]);
      for (const key of request.drop ?? []) {
        letGo(held.get(key));
        held.delete(key);
      }
      const result = { outputs: {}, held: {} };
      if (before !== null && after !== null) result.readBytes = after - before;
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
      const loaded = sessions.get(request.session);
      if (!loaded) throw new Error(`session '${request.session}' is not loaded in this worker`);
      sessions.delete(request.session);
      await release(loaded, request.drop !== false);
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
      for (const key of request.keys) {
        letGo(held.get(key));
        held.delete(key);
      }
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
      for (const loaded of open) await release(loaded);
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
    if (garbageBytes >= GARBAGE_BYTES) {
      garbageBytes = 0;
      collectGarbage();
    }
  });
});
port.postMessage({ ready: true });
