// The real executor: init, load, exec and free steps of network instances, on the session worker pool.
// A session lives in the worker that created it, so a layer's exec runs where its load ran; activations
// stay in the worker that produced them until a consumer elsewhere needs them (then they move by transfer).
import type { SplitModel } from "../model/types.ts";
import type { SessionPool, SessionSettings, TensorPayload, Timed } from "../host/workers.ts";
import { copyTensor, outputDigest, top1 } from "./tensors.ts";
import { tensorRoutes, type TensorRoutes } from "./tensor-routes.ts";

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
}

type Location = { at: "main"; tensor: TensorPayload } | { at: "worker"; worker: number; key: string };

interface InstanceState {
  network: RealNetwork;
  routes: TensorRoutes;
  tensors: Map<string, Location>;
  /** Layer index (-1: the whole model) -> the worker holding its session. */
  sessions: Map<number, number>;
  /** Outputs gathered; the state goes once its last session is freed too. */
  finished: boolean;
}

/** What a finished instance answered. */
export interface InstanceAnswer {
  outputDigest: string;
  top1?: number;
}

/** When a step really ran, on which worker (epoch ms, see host/workers.ts clockMs). */
export interface StepTiming {
  worker: number;
  startMs: number;
  endMs: number;
}

export class RealExecutor {
  private readonly instances = new Map<number, InstanceState>();
  private readonly routes = new Map<RealNetwork, TensorRoutes>();

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

  /** The load step: creates the layer's session (layer -1: the whole model) on `worker`. */
  async load(instance: number, layer: number, worker: number): Promise<StepTiming> {
    const state = this.state(instance);
    const path = layer < 0 ? (state.network.wholePath ?? state.network.model.path) : state.network.model.layers[layer]?.path;
    if (!path) throw new Error(`network ${state.network.name}: layer ${layer} has no ONNX file`);
    const done = await this.pool.load(worker, sessionKey(instance, layer), path, this.options);
    state.sessions.set(layer, worker);
    return { worker, startMs: done.startMs, endMs: done.endMs };
  }

  /** The exec step: runs the layer (layer -1: the whole model) where its session lives. */
  async exec(instance: number, layer: number): Promise<StepTiming> {
    const state = this.state(instance);
    const worker = state.sessions.get(layer);
    if (worker === undefined) throw new Error(`network ${state.network.name}: layer ${layer} executes before its load`);
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
      const staysHere = layer >= 0 && readers.length > 0 && readers.every((r) => state.sessions.get(r) === worker);
      const returned = !staysHere;
      outputs[name] = returned ? "return" : { hold: tensorKey(instance, name) };
    }
    const done = await this.pool.exec(worker, sessionKey(instance, layer), inputs, outputs, drop);
    for (const name of outputNames) {
      const spec = outputs[name]!;
      if (spec === "return") state.tensors.set(name, { at: "main", tensor: done.value.outputs[name]! });
      else state.tensors.set(name, { at: "worker", worker, key: spec.hold });
    }
    return { worker, startMs: done.startMs, endMs: done.endMs };
  }

  /** The free step: releases the layer's session. */
  async free(instance: number, layer: number): Promise<StepTiming> {
    const state = this.state(instance);
    const worker = state.sessions.get(layer);
    if (worker === undefined) throw new Error(`network ${state.network.name}: layer ${layer} is freed but was never loaded`);
    const done: Timed<null> = await this.pool.free(worker, sessionKey(instance, layer));
    state.sessions.delete(layer);
    if (state.finished && state.sessions.size === 0) this.instances.delete(instance);
    return { worker, startMs: done.startMs, endMs: done.endMs };
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

  /** Sessions still loaded (for Ctrl-C: free them before the workers end). */
  loadedSessions(): { session: string; worker: number }[] {
    const open: { session: string; worker: number }[] = [];
    for (const [instance, state] of this.instances) for (const [layer, worker] of state.sessions) open.push({ session: sessionKey(instance, layer), worker });
    return open;
  }
}

function sessionKey(instance: number, layer: number): string {
  return `${instance}/${layer < 0 ? "whole" : layer}`;
}

function tensorKey(instance: number, name: string): string {
  return `${instance}:${name}`;
}
