// The real executor: init, load, exec and free steps of network instances, on the session worker pool.
// A session lives in the worker that created it, so a layer's exec runs where its load ran; activations
// stay in the worker that produced them until a consumer elsewhere needs them (then they move by transfer).
import type { SplitModel } from "../model/types.ts";
import { clockMs, type FileRange, type SessionPool, type SessionSettings, type TensorPayload } from "../host/workers.ts";
import { copyTensor, outputDigest, top1 } from "./tensors.ts";
import { tensorRoutes, type TensorRoutes } from "./tensor-routes.ts";
import { layerRunError } from "./layer-errors.ts";

/** A network ready to run for real: its split layers, its whole-model file, how its input is made. */
export interface RealNetwork {
  name: string;
  model: SplitModel;
  /** The input of every instance (copied per instance; the original stays intact). */
  input: Record<string, TensorPayload>;
  /** Report `top1` (classifiers). */
  classifier: boolean;
  /**
   * The whole model as one ONNX file whose weights point into the original (external data), for whole-network
   * steps (bulk): created by mapping the weights, it holds them once, where creating from the original file
   * parses them out of the protobuf and held twice the weights while loading. Default: the original file.
   */
  wholePath?: string;
  /** What loading `wholePath` reads before creating its session (its file and the weights' ranges). */
  wholeReads?: FileRange[];
}

type Location = { at: "main"; tensor: TensorPayload } | { at: "worker"; worker: number; key: string };

/** A loaded session: which worker holds it, under which key, from which file, of which network and layer. */
interface LiveSession {
  worker: number;
  key: string;
  path: string;
  /** `network/layer` (`network/*`: the whole model), for messages. */
  label: string;
}

interface InstanceState {
  network: RealNetwork;
  routes: TensorRoutes;
  tensors: Map<string, Location>;
  /** Layer index (-1: the whole model) -> the session it runs in. */
  sessions: Map<number, LiveSession>;
  /** Outputs gathered; the state goes once its last session is freed too. */
  finished: boolean;
}

/** What a finished instance answered. */
export interface InstanceAnswer {
  outputDigest: string;
  top1?: number;
}

/** When a step really ran, on which worker (epoch ms, see host/workers.ts clockMs), and what it read from storage. */
export interface StepTiming {
  worker: number;
  startMs: number;
  endMs: number;
  /** Bytes the worker's thread read from storage during the step (Linux); absent where unknown. */
  readBytes?: number;
}

export class RealExecutor {
  private readonly instances = new Map<number, InstanceState>();
  private readonly routes = new Map<RealNetwork, TensorRoutes>();
  /** Every loaded session by id, whether an instance uses it or it is kept for a later one. */
  private readonly live = new Map<number, LiveSession>();
  /** Sessions loaded per file: a released session's bytes leave the page cache only when it was the last. */
  private readonly perPath = new Map<string, number>();
  /**
   * Sessions whose release the worker refused, one line each. The run's answers stand, but the ledger gave
   * their bytes back while the worker may still hold them: the run's report says so (real-run.ts).
   */
  readonly unreleased: string[] = [];

  constructor(
    private readonly pool: SessionPool,
    private readonly options: SessionSettings,
  ) {}

  private state(instance: number): InstanceState {
    const state = this.instances.get(instance);
    if (!state) throw new Error(`instance ${instance} has not been initialised`);
    return state;
  }

  /** The init step: the instance's input tensors, on the main thread. */
  init(instance: number, network: RealNetwork): void {
    let routes = this.routes.get(network);
    if (!routes) this.routes.set(network, (routes = tensorRoutes(network.model)));
    const tensors = new Map<string, Location>();
    for (const name of routes.inputs) {
      const tensor = network.input[name];
      if (!tensor) throw new Error(`network ${network.name}: no input tensor '${name}'`);
      tensors.set(name, { at: "main", tensor: copyTensor(tensor) });
    }
    this.instances.set(instance, { network, routes, tensors, sessions: new Map(), finished: false });
  }

  /**
   * The load step of `layer` (-1: the whole model) into session `session.id`: reads its weights and creates
   * the session on `worker`; an adopted session (kept from an earlier instance, on `session.lane`) is only
   * taken over, with nothing read.
   */
  async load(instance: number, layer: number, worker: number, session: { id: number; adopted: boolean; lane: number }): Promise<StepTiming> {
    const state = this.state(instance);
    if (session.adopted) {
      const kept = this.live.get(session.id);
      if (!kept) throw new Error(`network ${state.network.name}: kept session ${session.id} is not loaded`);
      state.sessions.set(layer, kept);
      const now = clockMs();
      return { worker: kept.worker, startMs: now, endMs: now, readBytes: 0 };
    }
    const info = layer < 0 ? undefined : state.network.model.layers[layer];
    const path = layer < 0 ? (state.network.wholePath ?? state.network.model.path) : info?.path;
    if (!path) throw new Error(`network ${state.network.name}: layer ${layer} has no ONNX file`);
    const reads = (layer < 0 ? state.network.wholeReads : info?.reads) ?? [];
    const live: LiveSession = { worker, key: `s${session.id}`, path, label: `${state.network.name}/${info?.name ?? "*"}` };
    // Counted from the start: a session of the same file released meanwhile must not drop what this one reads.
    this.perPath.set(path, (this.perPath.get(path) ?? 0) + 1);
    let done: Awaited<ReturnType<SessionPool["load"]>>;
    try {
      done = await this.pool.load(worker, live.key, path, this.options, reads);
    } catch (error) {
      const left = this.perPath.get(path)! - 1;
      if (left > 0) this.perPath.set(path, left);
      else this.perPath.delete(path);
      throw layerRunError(error, "load", { name: state.network.name, path: state.network.model.path }, info?.name);
    }
    this.live.set(session.id, live);
    state.sessions.set(layer, live);
    return { worker, startMs: done.startMs, endMs: done.endMs, ...(done.value.readBytes !== undefined ? { readBytes: done.value.readBytes } : {}) };
  }

  /** The exec step: runs the layer (layer -1: the whole model) where its session lives. */
  async exec(instance: number, layer: number): Promise<StepTiming> {
    const state = this.state(instance);
    try {
      return await this.execIn(state, instance, layer);
    } catch (error) {
      throw layerRunError(error, "exec", { name: state.network.name, path: state.network.model.path }, layer < 0 ? undefined : state.network.model.layers[layer]?.name);
    }
  }

  private async execIn(state: InstanceState, instance: number, layer: number): Promise<StepTiming> {
    const session = state.sessions.get(layer);
    if (session === undefined) throw new Error(`network ${state.network.name}: layer ${layer} executes before its load`);
    const worker = session.worker;
    const info = layer < 0 ? undefined : state.network.model.layers[layer];
    const inputNames = info ? info.inputs.map((t) => t.name) : state.routes.inputs;
    const outputNames = info ? info.outputs.map((t) => t.name) : state.routes.outputs;
    const graphOutputs = new Set(state.routes.outputs);

    const inputs: Record<string, { tensor: TensorPayload } | { held: string }> = {};
    const drop: string[] = [];
    for (const name of inputNames) {
      let where = state.tensors.get(name);
      if (!where) throw new Error(`network ${state.network.name}: tensor '${name}' is not available for layer ${layer}`);
      // Last read (and not a graph output): the tensor can move instead of being copied, and be dropped.
      const last = !graphOutputs.has(name) && (layer < 0 || state.routes.lastConsumer.get(name) === layer);
      if (where.at === "worker" && where.worker !== worker) {
        const taken = await this.pool.take(where.worker, [where.key]);
        where = { at: "main", tensor: taken.value[where.key]! };
        state.tensors.set(name, where);
      }
      if (where.at === "worker") {
        inputs[name] = { held: where.key };
        if (last) {
          drop.push(where.key);
          state.tensors.delete(name);
        }
      } else if (last) {
        inputs[name] = { tensor: where.tensor };
        state.tensors.delete(name);
      } else {
        inputs[name] = { tensor: copyTensor(where.tensor) };
      }
    }
    const outputs: Record<string, "return" | { hold: string }> = {};
    for (const name of outputNames) {
      // An activation stays in this worker only when every consumer's session is already loaded here;
      // otherwise it comes back now, so that moving it later never waits behind this worker's queue.
      const readers = state.routes.consumers.get(name) ?? [];
      const staysHere = layer >= 0 && readers.length > 0 && readers.every((r) => state.sessions.get(r)?.worker === worker);
      const returned = !staysHere;
      outputs[name] = returned ? "return" : { hold: tensorKey(instance, name) };
    }
    const done = await this.pool.exec(worker, session.key, inputs, outputs, drop);
    for (const name of outputNames) {
      const spec = outputs[name]!;
      if (spec === "return") state.tensors.set(name, { at: "main", tensor: done.value.outputs[name]! });
      else state.tensors.set(name, { at: "worker", worker, key: spec.hold });
    }
    return { worker, startMs: done.startMs, endMs: done.endMs, ...(done.value.readBytes !== undefined ? { readBytes: done.value.readBytes } : {}) };
  }

  /** The free step: the instance is done with the layer's session, which is released unless `keep`. */
  async free(instance: number, layer: number, session: number, keep: boolean): Promise<void> {
    const state = this.state(instance);
    if (!state.sessions.has(layer)) throw new Error(`network ${state.network.name}: layer ${layer} is freed but was never loaded`);
    state.sessions.delete(layer);
    if (state.finished && state.sessions.size === 0) this.instances.delete(instance);
    if (!keep) await this.release(session);
  }

  /**
   * Releases a session (a free, or a kept session evicted), dropping its bytes from the page cache if no other
   * session reads them. A release the worker refuses does not fail the run (nothing it computes depends on
   * it): it is recorded in `unreleased`.
   */
  async release(session: number): Promise<void> {
    const live = this.live.get(session);
    if (!live) throw new Error(`session ${session} is not loaded`);
    this.live.delete(session);
    const left = (this.perPath.get(live.path) ?? 1) - 1;
    if (left > 0) this.perPath.set(live.path, left);
    else this.perPath.delete(live.path);
    try {
      await this.pool.free(live.worker, live.key, left === 0);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.unreleased.push(`the session of ${live.label} on worker ${live.worker} was not released (${reason}): the ledger counts its bytes as freed, the worker may still hold them`);
    }
  }

  /** After the last exec: gathers the graph outputs, drops what is left, and answers. Frees may still follow. */
  async finish(instance: number): Promise<InstanceAnswer> {
    const state = this.state(instance);
    const outputs: Record<string, TensorPayload> = {};
    for (const name of state.routes.outputs) {
      const where = state.tensors.get(name);
      if (!where) throw new Error(`network ${state.network.name}: output '${name}' was never produced`);
      outputs[name] = where.at === "main" ? where.tensor : (await this.pool.take(where.worker, [where.key])).value[where.key]!;
      state.tensors.delete(name);
    }
    for (const where of state.tensors.values()) if (where.at === "worker") await this.pool.drop(where.worker, [where.key]);
    state.tensors.clear();
    state.finished = true;
    if (state.sessions.size === 0) this.instances.delete(instance);
    const answer: InstanceAnswer = { outputDigest: await outputDigest(outputs) };
    const first = outputs[state.routes.outputs[0]!];
    if (state.network.classifier && first) answer.top1 = top1(first);
    return answer;
  }

  /** Sessions still loaded, kept ones included (after a stop on a shared pool: release them). */
  loadedSessions(): number[] {
    return [...this.live.keys()];
  }
}

function tensorKey(instance: number, name: string): string {
  return `${instance}:${name}`;
}
