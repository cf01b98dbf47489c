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
    run: (feeds, outputNames) =>
      outputNames ? session.run(feeds, outputNames as string[]) : session.run(feeds),
    release: () => session.release(),
  };
}

/** Wraps typed-array data as an onnxruntime tensor (no copy). */
export function hostTensor(dtype: string, data: ArrayBufferView | string[], dims: readonly number[]): HostTensor {
  return new ort.Tensor(dtype as "float32", data as Float32Array, dims);
}
