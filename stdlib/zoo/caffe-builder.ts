// Builds a network the way Caffe defines it (layer by layer, Caffe's shape rules) as a plain graph description.
// The description is pure data: no weights, no protobuf; `onnx-model.ts` turns it into an ONNX ModelProto.

/** How a weight tensor's values are drawn (seeded, see `weights.ts`). */
export type WeightFill =
  | { kind: "uniform"; low: number; high: number }
  | { kind: "constant"; value: number };

export interface ZooTensor {
  name: string;
  /** float32 always. */
  shape: number[];
}

export interface ZooInitializer {
  name: string;
  dims: number[];
  fill: WeightFill;
}

export type AttributeValue = number | number[] | string;

export interface ZooNode {
  /** The Caffe layer name, or `<caffe layer>#<role>` for an extra ONNX node that is part of one Caffe layer. */
  name: string;
  op: string;
  inputs: string[];
  output: string;
  attributes: Record<string, AttributeValue>;
  /** Integer attributes are INTS/INT, the rest FLOAT; this lists the float ones. */
  floatAttributes?: string[];
  /** Caffe layer type, for the device profile's estimation classes. */
  caffeType: CaffeLayerType;
  /** Floating-point operations (multiply-add = 2) for one forward pass. */
  flops: number;
  /** Weight bytes this node owns (float32). */
  weightsBytes: number;
}

export type CaffeLayerType =
  | "Convolution"
  | "InnerProduct"
  | "ReLU"
  | "Pooling"
  | "LRN"
  | "Dropout"
  | "Softmax"
  | "Concat"
  | "BatchNorm"
  | "Scale"
  | "Flatten";

export interface ZooGraph {
  /** Zoo name (lower case, as in stdlib/names.ts). */
  name: string;
  input: ZooTensor;
  output: ZooTensor;
  nodes: ZooNode[];
  initializers: ZooInitializer[];
  /** Every node output's shape, the graph output included. */
  tensors: Map<string, number[]>;
}

export interface ConvParams {
  out: number;
  kernel: number;
  stride?: number;
  pad?: number;
  group?: number;
  /** Caffe's bias_term (default true). */
  bias?: boolean;
}

export interface PoolParams {
  kernel: number;
  stride?: number;
  pad?: number;
}

export interface LrnParams {
  size: number;
  alpha: number;
  beta: number;
  k?: number;
}

const count = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/**
 * Adds Caffe layers one at a time; each call returns the name of the layer's output tensor, which is the layer
 * name (ONNX wants each tensor written once, so Caffe's in-place tops get their own names).
 */
export class CaffeNetBuilder {
  readonly #name: string;
  readonly #input: ZooTensor;
  readonly #nodes: ZooNode[] = [];
  readonly #initializers: ZooInitializer[] = [];
  readonly #tensors = new Map<string, number[]>();
  readonly #weightBytes = new Map<string, number>();

  constructor(name: string, inputName: string, inputShape: number[]) {
    this.#name = name;
    this.#input = { name: inputName, shape: inputShape };
    this.#tensors.set(inputName, inputShape);
  }

  shapeOf(tensor: string): number[] {
    const shape = this.#tensors.get(tensor);
    if (!shape) throw new Error(`${this.#name}: no tensor '${tensor}' (layer order?)`);
    return shape;
  }

  conv(name: string, bottom: string, p: ConvParams): string {
    const [n, c, h, w] = this.#nchw(name, bottom);
    const stride = p.stride ?? 1;
    const pad = p.pad ?? 0;
    const group = p.group ?? 1;
    if (c % group !== 0 || p.out % group !== 0) throw new Error(`${name}: channels not divisible by group ${group}`);
    // Caffe's convolution output size rounds down.
    const oh = Math.floor((h + 2 * pad - p.kernel) / stride) + 1;
    const ow = Math.floor((w + 2 * pad - p.kernel) / stride) + 1;
    const fanIn = (c / group) * p.kernel * p.kernel;
    const weightDims = [p.out, c / group, p.kernel, p.kernel];
    const inputs = [bottom, this.#weight(`${name}.weight`, weightDims, heUniform(fanIn))];
    if (p.bias ?? true) inputs.push(this.#weight(`${name}.bias`, [p.out], SMALL_BIAS));
    const outShape = [n, p.out, oh, ow];
    return this.#add({
      name,
      op: "Conv",
      inputs,
      attributes: {
        kernel_shape: [p.kernel, p.kernel],
        strides: [stride, stride],
        pads: [pad, pad, pad, pad],
        group,
      },
      caffeType: "Convolution",
      flops: 2 * count(outShape) * fanIn,
      outShape,
    });
  }

  /** Caffe InnerProduct: flattens from axis 1 (an extra `#flatten` node when the input is not 2-D), then Gemm. */
  fc(name: string, bottom: string, out: number, bias = true): string {
    let x = bottom;
    const shape = this.shapeOf(bottom);
    if (shape.length !== 2) {
      const flat = [shape[0]!, count(shape.slice(1))];
      x = this.#add({
        name: `${name}#flatten`,
        op: "Flatten",
        inputs: [bottom],
        attributes: { axis: 1 },
        caffeType: "Flatten",
        flops: 0,
        outShape: flat,
      });
    }
    const [n, fanIn] = this.shapeOf(x) as [number, number];
    const inputs = [x, this.#weight(`${name}.weight`, [out, fanIn], heUniform(fanIn))];
    if (bias) inputs.push(this.#weight(`${name}.bias`, [out], SMALL_BIAS));
    return this.#add({
      name,
      op: "Gemm",
      inputs,
      attributes: { transB: 1 },
      caffeType: "InnerProduct",
      flops: 2 * n * fanIn * out,
      outShape: [n, out],
    });
  }

  relu(name: string, bottom: string, negativeSlope = 0): string {
    const shape = this.shapeOf(bottom);
    const leaky = negativeSlope !== 0;
    return this.#add({
      name,
      op: leaky ? "LeakyRelu" : "Relu",
      inputs: [bottom],
      attributes: leaky ? { alpha: negativeSlope } : {},
      floatAttributes: leaky ? ["alpha"] : [],
      caffeType: "ReLU",
      flops: count(shape),
      outShape: shape,
    });
  }

  maxPool(name: string, bottom: string, p: PoolParams): string {
    return this.#pool(name, bottom, p, "MaxPool");
  }

  avePool(name: string, bottom: string, p: PoolParams): string {
    return this.#pool(name, bottom, p, "AveragePool");
  }

  /** Caffe LRN across channels: x / (k + alpha/size * sum x^2)^beta, which is ONNX LRN exactly. */
  lrn(name: string, bottom: string, p: LrnParams): string {
    const shape = this.shapeOf(bottom);
    return this.#add({
      name,
      op: "LRN",
      inputs: [bottom],
      attributes: { size: p.size, alpha: p.alpha, beta: p.beta, bias: p.k ?? 1 },
      floatAttributes: ["alpha", "beta", "bias"],
      caffeType: "LRN",
      flops: count(shape) * (2 * p.size + 4),
      outShape: shape,
    });
  }

  /** Dropout at inference is the identity; kept as a node so the Caffe layer (and its profiled time) has a match. */
  dropout(name: string, bottom: string): string {
    const shape = this.shapeOf(bottom);
    return this.#add({ name, op: "Identity", inputs: [bottom], attributes: {}, caffeType: "Dropout", flops: 0, outShape: shape });
  }

  /** Caffe Softmax normalises over axis 1 (channels), also for 4-D blobs. */
  softmax(name: string, bottom: string): string {
    const shape = this.shapeOf(bottom);
    return this.#add({
      name,
      op: "Softmax",
      inputs: [bottom],
      attributes: { axis: 1 },
      caffeType: "Softmax",
      flops: 3 * count(shape),
      outShape: shape,
    });
  }

  concat(name: string, bottoms: string[]): string {
    const shapes = bottoms.map((b) => this.shapeOf(b));
    const first = shapes[0]!;
    for (const s of shapes) {
      if (s.length !== first.length || s.some((d, i) => i !== 1 && d !== first[i])) {
        throw new Error(`${name}: concat inputs disagree: ${shapes.map((x) => x.join("x")).join(", ")}`);
      }
    }
    const outShape = [...first];
    outShape[1] = shapes.reduce((a, s) => a + s[1]!, 0);
    return this.#add({ name, op: "Concat", inputs: bottoms, attributes: { axis: 1 }, caffeType: "Concat", flops: 0, outShape });
  }

  /**
   * Caffe BatchNorm with use_global_stats: (x - mean) / sqrt(var + eps). ONNX BatchNormalization also wants scale
   * and bias, fixed at 1 and 0 here (Caffe keeps those in the following Scale layer).
   */
  batchNorm(name: string, bottom: string, eps = 1e-5): string {
    const shape = this.shapeOf(bottom);
    const c = shape[1]!;
    const inputs = [
      bottom,
      this.#weight(`${name}.scale`, [c], { kind: "constant", value: 1 }),
      this.#weight(`${name}.bias`, [c], { kind: "constant", value: 0 }),
      this.#weight(`${name}.mean`, [c], { kind: "uniform", low: -0.05, high: 0.05 }),
      this.#weight(`${name}.var`, [c], { kind: "uniform", low: 0.8, high: 1.2 }),
    ];
    return this.#add({
      name,
      op: "BatchNormalization",
      inputs,
      attributes: { epsilon: eps },
      floatAttributes: ["epsilon"],
      caffeType: "BatchNorm",
      flops: 2 * count(shape),
      outShape: shape,
    });
  }

  /**
   * Caffe Scale with bias: gamma * x + beta per channel. One depthwise 1x1 Conv computes exactly that with
   * exactly Caffe's two blobs, so the Caffe layer stays one node.
   */
  scale(name: string, bottom: string, bias = true): string {
    const shape = this.shapeOf(bottom);
    const c = shape[1]!;
    const inputs = [bottom, this.#weight(`${name}.weight`, [c, 1, 1, 1], { kind: "uniform", low: 0.9, high: 1.1 })];
    if (bias) inputs.push(this.#weight(`${name}.bias`, [c], SMALL_BIAS));
    return this.#add({
      name,
      op: "Conv",
      inputs,
      attributes: { kernel_shape: [1, 1], group: c },
      caffeType: "Scale",
      flops: 2 * count(shape),
      outShape: shape,
    });
  }

  build(output: string): ZooGraph {
    return {
      name: this.#name,
      input: this.#input,
      output: { name: output, shape: this.shapeOf(output) },
      nodes: this.#nodes,
      initializers: this.#initializers,
      tensors: this.#tensors,
    };
  }

  #pool(name: string, bottom: string, p: PoolParams, op: "MaxPool" | "AveragePool"): string {
    const [n, c, h, w] = this.#nchw(name, bottom);
    const stride = p.stride ?? 1;
    const pad = p.pad ?? 0;
    const outSize = (size: number): number => {
      // Caffe pools round up, and drop a last window that would start inside the padding.
      let out = Math.ceil((size + 2 * pad - p.kernel) / stride) + 1;
      if (pad > 0 && (out - 1) * stride >= size + pad) out--;
      return out;
    };
    const outShape = [n, c, outSize(h), outSize(w)];
    const attributes: Record<string, AttributeValue> = {
      kernel_shape: [p.kernel, p.kernel],
      strides: [stride, stride],
      pads: [pad, pad, pad, pad],
      ceil_mode: 1,
    };
    // Caffe's average divides by the window clipped to the padded input, i.e. padding counts.
    if (op === "AveragePool") attributes.count_include_pad = 1;
    return this.#add({
      name,
      op,
      inputs: [bottom],
      attributes,
      caffeType: "Pooling",
      flops: count(outShape) * p.kernel * p.kernel,
      outShape,
    });
  }

  #nchw(name: string, bottom: string): [number, number, number, number] {
    const shape = this.shapeOf(bottom);
    if (shape.length !== 4) throw new Error(`${name}: expects a 4-D input, got ${shape.join("x")}`);
    return shape as [number, number, number, number];
  }

  #weight(name: string, dims: number[], fill: WeightFill): string {
    this.#initializers.push({ name, dims, fill });
    this.#weightBytes.set(name, 4 * count(dims));
    return name;
  }

  #add(spec: Omit<ZooNode, "output" | "weightsBytes"> & { outShape: number[] }): string {
    const { outShape, ...node } = spec;
    if (this.#tensors.has(node.name)) throw new Error(`${this.#name}: duplicate layer name '${node.name}'`);
    let weightsBytes = 0;
    for (const input of node.inputs) {
      const bytes = this.#weightBytes.get(input);
      if (bytes !== undefined) weightsBytes += bytes;
      else this.shapeOf(input);
    }
    this.#nodes.push({ ...node, output: node.name, weightsBytes });
    this.#tensors.set(node.name, outShape);
    return node.name;
  }
}

// He-uniform keeps the activations' variance roughly constant through ReLU layers, so a forward pass over
// random weights stays finite and non-trivial.
function heUniform(fanIn: number): WeightFill {
  const bound = Math.sqrt(6 / fanIn);
  return { kind: "uniform", low: -bound, high: bound };
}

const SMALL_BIAS: WeightFill = { kind: "uniform", low: -0.01, high: 0.01 };
