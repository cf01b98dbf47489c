// Imports a Caffe deploy prototxt (network structure; old `layers` and new `layer` syntax) as a zoo graph with
// seeded weights: the same builder and Caffe rules as the zoo, so a user's own Caffe network can be scheduled.
import { CaffeNetBuilder, type ZooGraph } from "./caffe-builder.ts";

/** A prototxt the importer cannot read: `message` is one line, `path:line:col: ...` where it applies. */
export class PrototxtError extends Error {
  readonly code: string;
  constructor(message: string, code = "E_PROTOTXT") {
    super(message);
    this.name = "PrototxtError";
    this.code = code;
  }
}

interface Position {
  line: number;
  col: number;
}

type PValue = string | number | boolean | PMessage;

interface PField {
  name: string;
  value: PValue;
  /** Whether a string value was quoted (enum identifiers are not). */
  quoted: boolean;
  at: Position;
}

/** A parsed protobuf text-format message: its fields in order, repeated names allowed. */
export class PMessage {
  readonly fields: PField[] = [];
  constructor(readonly at: Position) {}

  all(name: string): PField[] {
    return this.fields.filter((f) => f.name === name);
  }

  first(name: string): PField | undefined {
    return this.fields.find((f) => f.name === name);
  }

  message(name: string): PMessage | undefined {
    const v = this.first(name)?.value;
    return v instanceof PMessage ? v : undefined;
  }
}

interface Token {
  kind: "ident" | "number" | "string" | "punct";
  text: string;
  at: Position;
}

function tokenize(text: string, where: string): Token[] {
  const tokens: Token[] = [];
  let line = 1;
  let lineStart = 0;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === "\n") {
      line++;
      i++;
      lineStart = i;
      continue;
    }
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const at = { line, col: i - lineStart + 1 };
    if (c === "#") {
      while (i < text.length && text[i] !== "\n") i++;
      continue;
    }
    if (c === "{" || c === "}" || c === ":" || c === ";" || c === ",") {
      tokens.push({ kind: "punct", text: c, at });
      i++;
      continue;
    }
    if (c === '"' || c === "'") {
      let j = i + 1;
      let value = "";
      while (j < text.length && text[j] !== c) {
        if (text[j] === "\n") throw new PrototxtError(`${where}:${at.line}:${at.col}: unterminated string`);
        if (text[j] === "\\" && j + 1 < text.length) j++;
        value += text[j];
        j++;
      }
      if (j >= text.length) throw new PrototxtError(`${where}:${at.line}:${at.col}: unterminated string`);
      tokens.push({ kind: "string", text: value, at });
      i = j + 1;
      continue;
    }
    const word = /^[-+]?(?:\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?)[fF]?|^[A-Za-z_][\w.]*/.exec(text.slice(i, i + 200));
    if (!word) throw new PrototxtError(`${where}:${at.line}:${at.col}: unexpected character '${c}'`);
    tokens.push({ kind: /^[A-Za-z_]/.test(word[0]) ? "ident" : "number", text: word[0], at });
    i += word[0].length;
  }
  return tokens;
}

/** Parses protobuf text format (what .prototxt files are). */
export function parsePrototxt(text: string, where = "<prototxt>"): PMessage {
  const tokens = tokenize(text, where);
  let pos = 0;
  const eofAt = (): Position => tokens[tokens.length - 1]?.at ?? { line: 1, col: 1 };
  const fail = (token: Token | undefined, expected: string): never => {
    const at = token?.at ?? eofAt();
    throw new PrototxtError(`${where}:${at.line}:${at.col}: expected ${expected}, found ${token ? `'${token.text}'` : "end of file"}`);
  };
  const parseMessage = (at: Position, closing: boolean): PMessage => {
    const message = new PMessage(at);
    for (;;) {
      const token = tokens[pos];
      if (!token) {
        if (closing) fail(token, "'}'");
        return message;
      }
      if (token.kind === "punct" && token.text === "}") {
        if (!closing) fail(token, "a field name");
        pos++;
        return message;
      }
      if (token.kind === "punct" && (token.text === ";" || token.text === ",")) {
        pos++;
        continue;
      }
      if (token.kind !== "ident") fail(token, "a field name");
      pos++;
      let next = tokens[pos];
      if (next?.kind === "punct" && next.text === ":") {
        pos++;
        next = tokens[pos];
      }
      if (next?.kind === "punct" && next.text === "{") {
        pos++;
        message.fields.push({ name: token.text, value: parseMessage(next.at, true), quoted: false, at: token.at });
        continue;
      }
      if (!next || next.kind === "punct") fail(next, `a value for '${token.text}'`);
      pos++;
      let value: PValue;
      if (next!.kind === "number") value = Number(next!.text.replace(/[fF]$/, ""));
      else if (next!.kind === "ident" && (next!.text === "true" || next!.text === "false")) value = next!.text === "true";
      else value = next!.text;
      message.fields.push({ name: token.text, value, quoted: next!.kind === "string", at: token.at });
    }
  };
  return parseMessage({ line: 1, col: 1 }, false);
}

// Caffe's V1 (`layers { type: CONVOLUTION }`) enum names → V2 type strings.
const V1_TYPES: Record<string, string> = {
  CONVOLUTION: "Convolution",
  INNER_PRODUCT: "InnerProduct",
  RELU: "ReLU",
  POOLING: "Pooling",
  LRN: "LRN",
  DROPOUT: "Dropout",
  SOFTMAX: "Softmax",
  CONCAT: "Concat",
  SPLIT: "Split",
  FLATTEN: "Flatten",
  DATA: "Data",
  SOFTMAX_LOSS: "SoftmaxWithLoss",
  ACCURACY: "Accuracy",
};

const SUPPORTED = ["Input", "Convolution", "InnerProduct", "ReLU", "Pooling", "LRN", "Dropout", "Softmax", "Concat", "BatchNorm", "Scale", "Split"];

export interface ImportOptions {
  /** Graph (and seed) name; default the prototxt's `name`, else "imported". */
  name?: string;
  /** Batch size of the input; default 1 (the prototxt's is replaced). */
  batch?: number;
  /** File name for error messages. */
  where?: string;
}

/**
 * Builds a zoo graph from a deploy prototxt: Convolution, InnerProduct, ReLU (leaky too), Pooling (MAX/AVE,
 * global), LRN (across channels), Dropout, Softmax, Concat, BatchNorm, Scale, Split and Input layers, square
 * kernels. Weights are seeded like the zoo's: the structure is Caffe's, the values are not (no caffemodel).
 */
export function importPrototxt(text: string, options: ImportOptions = {}): ZooGraph {
  const where = options.where ?? "<prototxt>";
  const net = parsePrototxt(text, where);
  const at = (p: Position): string => `${where}:${p.line}:${p.col}`;
  const str = (m: PMessage, name: string): string | undefined => {
    const v = m.first(name)?.value;
    return typeof v === "string" ? v : undefined;
  };
  const num = (m: PMessage | undefined, name: string, fallback?: number): number | undefined => {
    const f = m?.first(name);
    if (!f) return fallback;
    if (typeof f.value !== "number") throw new PrototxtError(`${at(f.at)}: '${name}' must be a number`);
    return f.value;
  };
  const name = options.name ?? str(net, "name") ?? "imported";
  const batch = options.batch ?? 1;
  const layerFields = [...net.all("layer"), ...net.all("layers")].sort((a, b) => a.at.line - b.at.line || a.at.col - b.at.col);

  // The input: deprecated `input` + `input_dim` / `input_shape`, or an Input layer.
  let inputName = str(net, "input");
  let inputShape: number[] | undefined;
  if (inputName) {
    const dims = net.all("input_dim").map((f) => f.value as number);
    const shape = net.message("input_shape")?.all("dim").map((f) => f.value as number);
    inputShape = dims.length > 0 ? dims : shape;
    if (!inputShape || inputShape.length !== 4) throw new PrototxtError(`${at(net.first("input")!.at)}: input '${inputName}' needs 4 dims (input_dim or input_shape)`);
  } else {
    const inputLayer = layerFields.find((f) => str(f.value as PMessage, "type") === "Input");
    const m = inputLayer?.value as PMessage | undefined;
    const dims = m?.message("input_param")?.message("shape")?.all("dim").map((f) => f.value as number);
    if (!m || !dims || dims.length !== 4) {
      throw new PrototxtError(`${where}: no 4-D input (expected 'input' with 'input_dim', or an Input layer with input_param { shape { dim ... } })`);
    }
    inputName = str(m, "top") ?? str(m, "name")!;
    inputShape = dims;
  }
  const b = new CaffeNetBuilder(name, inputName, [batch, ...inputShape.slice(1)]);

  /** Caffe blob name → the tensor currently holding it (in-place layers rename it). */
  const blobs = new Map<string, string>([[inputName, inputName]]);
  let last = inputName;
  for (const field of layerFields) {
    const m = field.value as PMessage;
    const layerName = str(m, "name");
    const rawType = m.first("type");
    if (!layerName || !rawType || typeof rawType.value !== "string") throw new PrototxtError(`${at(field.at)}: a layer needs a name and a type`);
    const type = rawType.quoted ? rawType.value : (V1_TYPES[rawType.value] ?? rawType.value);
    if (m.all("include").some((inc) => str(inc.value as PMessage, "phase") === "TRAIN")) continue;
    if (type === "Input") continue;
    if (!SUPPORTED.includes(type)) {
      throw new PrototxtError(`${at(rawType.at)}: layer '${layerName}' has type ${type}, which the importer does not support (supported: ${SUPPORTED.join(", ")})`, "E_PROTOTXT_LAYER");
    }
    const bottoms = m.all("bottom").map((f) => {
      const tensor = blobs.get(f.value as string);
      if (!tensor) throw new PrototxtError(`${at(f.at)}: layer '${layerName}' reads '${String(f.value)}', which no earlier layer produces`);
      return tensor;
    });
    const tops = m.all("top").map((f) => f.value as string);
    const x = bottoms[0]!;
    if (bottoms.length === 0) throw new PrototxtError(`${at(field.at)}: layer '${layerName}' has no bottom`);
    const params = (key: string): PMessage | undefined => m.message(key);
    const square = (p: PMessage | undefined, what: string, fallback: number): number => {
      const single = p?.all(`${what}_size`).map((f) => f.value as number) ?? [];
      const h = num(p, `${what}_h`);
      const w = num(p, `${what}_w`);
      const values = [...single, ...(h !== undefined ? [h] : []), ...(w !== undefined ? [w] : [])];
      if (values.length === 0) {
        if (Number.isNaN(fallback)) throw new PrototxtError(`${at(field.at)}: layer '${layerName}' needs ${what}_size`);
        return fallback;
      }
      if (values.some((v) => v !== values[0])) throw new PrototxtError(`${at(field.at)}: layer '${layerName}': only square ${what}s are supported`);
      return values[0]!;
    };
    const squareParam = (p: PMessage | undefined, key: "stride" | "pad", fallback: number): number => {
      const values = [...(p?.all(key).map((f) => f.value as number) ?? [])];
      const h = num(p, `${key}_h`);
      const w = num(p, `${key}_w`);
      if (h !== undefined) values.push(h);
      if (w !== undefined) values.push(w);
      if (values.length === 0) return fallback;
      if (values.some((v) => v !== values[0])) throw new PrototxtError(`${at(field.at)}: layer '${layerName}': only equal ${key} in both directions is supported`);
      return values[0]!;
    };
    let out: string;
    try {
      switch (type) {
        case "Convolution": {
          const p = params("convolution_param");
          if ((num(p, "dilation", 1) ?? 1) !== 1) throw new PrototxtError(`${at(field.at)}: layer '${layerName}': dilation is not supported`);
          const numOutput = num(p, "num_output");
          if (numOutput === undefined) throw new PrototxtError(`${at(field.at)}: layer '${layerName}' needs convolution_param.num_output`);
          out = b.conv(layerName, x, {
            out: numOutput,
            kernel: square(p, "kernel", NaN),
            stride: squareParam(p, "stride", 1),
            pad: squareParam(p, "pad", 0),
            group: num(p, "group", 1)!,
            bias: p?.first("bias_term")?.value !== false,
          });
          break;
        }
        case "InnerProduct": {
          const p = params("inner_product_param");
          const numOutput = num(p, "num_output");
          if (numOutput === undefined) throw new PrototxtError(`${at(field.at)}: layer '${layerName}' needs inner_product_param.num_output`);
          if (num(p, "axis", 1) !== 1) throw new PrototxtError(`${at(field.at)}: layer '${layerName}': only axis 1 is supported`);
          out = b.fc(layerName, x, numOutput, p?.first("bias_term")?.value !== false);
          break;
        }
        case "ReLU":
          out = b.relu(layerName, x, num(params("relu_param"), "negative_slope", 0));
          break;
        case "Pooling": {
          const p = params("pooling_param");
          const method = str(p ?? m, "pool") ?? "MAX";
          const global = p?.first("global_pooling")?.value === true;
          const shape = b.shapeOf(x);
          if (global && shape[2] !== shape[3]) throw new PrototxtError(`${at(field.at)}: layer '${layerName}': global pooling of a non-square map`);
          const pool = { kernel: global ? shape[2]! : square(p, "kernel", NaN), stride: global ? 1 : squareParam(p, "stride", 1), pad: global ? 0 : squareParam(p, "pad", 0) };
          if (method === "MAX") out = b.maxPool(layerName, x, pool);
          else if (method === "AVE") out = b.avePool(layerName, x, pool);
          else throw new PrototxtError(`${at(field.at)}: layer '${layerName}': pool ${method} is not supported (MAX, AVE)`);
          break;
        }
        case "LRN": {
          const p = params("lrn_param");
          if ((str(p ?? m, "norm_region") ?? "ACROSS_CHANNELS") !== "ACROSS_CHANNELS") {
            throw new PrototxtError(`${at(field.at)}: layer '${layerName}': only ACROSS_CHANNELS LRN is supported`);
          }
          out = b.lrn(layerName, x, { size: num(p, "local_size", 5)!, alpha: num(p, "alpha", 1)!, beta: num(p, "beta", 0.75)!, k: num(p, "k", 1)! });
          break;
        }
        case "Dropout":
          out = b.dropout(layerName, x);
          break;
        case "Softmax":
          if (num(params("softmax_param"), "axis", 1) !== 1) throw new PrototxtError(`${at(field.at)}: layer '${layerName}': only axis 1 is supported`);
          out = b.softmax(layerName, x);
          break;
        case "Concat": {
          const p = params("concat_param");
          if (num(p, "axis", num(p, "concat_dim", 1)) !== 1) throw new PrototxtError(`${at(field.at)}: layer '${layerName}': only axis 1 is supported`);
          out = b.concat(layerName, bottoms);
          break;
        }
        case "BatchNorm":
          out = b.batchNorm(layerName, x, num(params("batch_norm_param"), "eps", 1e-5));
          break;
        case "Scale":
          out = b.scale(layerName, x, params("scale_param")?.first("bias_term")?.value === true);
          break;
        case "Split":
          // ONNX tensors fan out freely: every top is the bottom.
          for (const top of tops) blobs.set(top, x);
          continue;
        default:
          throw new PrototxtError(`${at(field.at)}: layer '${layerName}': unsupported type ${type}`);
      }
    } catch (error) {
      if (error instanceof PrototxtError) throw error;
      throw new PrototxtError(`${at(field.at)}: layer '${layerName}': ${(error as Error).message}`);
    }
    for (const top of tops) blobs.set(top, out);
    last = out;
  }
  if (last === inputName) throw new PrototxtError(`${where}: no layers`);
  return b.build(last);
}
