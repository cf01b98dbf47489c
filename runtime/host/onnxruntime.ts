// The onnxruntime adapter for model splitting: thin create / run / release calls (the one module of
// runtime/model's side that imports onnxruntime-node), with the session options that keep staged == whole
// execution exact (defined in ort-options.ts, which the main thread of a run needs without onnxruntime).
import "./ort-environment.ts"; // first: before onnxruntime-node starts
import ort from "onnxruntime-node";
import { EXACT_SESSION_OPTIONS } from "./ort-options.ts";

export { EXACT_SESSION_OPTIONS };

export type HostTensor = ort.Tensor;

/** A created onnxruntime session. */
export interface HostSession {
  inputNames: readonly string[];
  outputNames: readonly string[];
  run(feeds: Record<string, HostTensor>, outputNames?: readonly string[]): Promise<Record<string, HostTensor>>;
  release(): Promise<void>;
}

/** Creates a session from a file path (external data resolved next to it) or from model bytes. */
export async function createSession(
  source: string | Uint8Array,
  options: ort.InferenceSession.SessionOptions = EXACT_SESSION_OPTIONS,
): Promise<HostSession> {
  const session =
    typeof source === "string"
      ? await ort.InferenceSession.create(source, options)
      : await ort.InferenceSession.create(source, options);
  return {
    inputNames: session.inputNames,
    outputNames: session.outputNames,
    run: (feeds, outputNames) => {
      const own = Object.fromEntries(Object.entries(feeds).map(([name, tensor]) => [name, feedable(tensor)]));
      return outputNames ? session.run(own, outputNames as string[]) : session.run(own);
    },
    release: () => session.release(),
  };
}

/** Wraps typed-array data as an onnxruntime tensor (no copy). */
export function hostTensor(dtype: string, data: ArrayBufferView | string[], dims: readonly number[]): HostTensor {
  if (dtype === "float16") return halfTensor(data as ArrayBufferView, dims);
  return new ort.Tensor(dtype as "float32", data as Float32Array, dims);
}

/**
 * A float16 tensor over Uint16Array data (no copy). Where the runtime has Float16Array (Bun, Deno),
 * onnxruntime-common keeps float16 data in one, and onnxruntime-node's binding does not take it: a run fails
 * with "not enough space: expected 6144, got 0". Its binding reads a Uint16Array with type "float16".
 */
function halfTensor(data: ArrayBufferView, dims: readonly number[]): HostTensor {
  const tensor = new ort.Tensor("uint16", new Uint16Array(data.buffer, data.byteOffset, data.byteLength / 2), dims);
  (tensor as { type: string }).type = "float16";
  return tensor as HostTensor;
}

/** A tensor as onnxruntime-node's binding takes it: float16 data as Uint16Array (outputs under Bun and Deno come as Float16Array). */
function feedable(tensor: HostTensor): HostTensor {
  if (tensor.type !== "float16" || tensor.data instanceof Uint16Array) return tensor;
  return halfTensor(tensor.data as ArrayBufferView, tensor.dims);
}
