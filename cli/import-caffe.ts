// `mema import-caffe FILE.prototxt`: a Caffe deploy network as an ONNX model with seeded weights (structure only).
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { writeModelFile } from "../stdlib/zoo/generate.ts";
import { importPrototxt } from "../stdlib/zoo/prototxt.ts";
import { formatBytes } from "../runtime/report/quantity.ts";
import { type Command, onlyArgument, UsageError } from "./command.ts";
import { parseInteger, parseSize } from "./flag-values.ts";
import { checkNotInput, checkOutputFile, writingOutput } from "./output-paths.ts";

/** Protobuf's 2 GiB ceiling on one message: a larger single-file ONNX model cannot be loaded by onnxruntime. */
const DEFAULT_MAX_BYTES = 2 * 1024 ** 3;

export const command: Command = {
  name: "import-caffe",
  usage: `mema import-caffe FILE.prototxt [--out FILE.onnx] [--batch N] [--name NAME] [--max-size SIZE]

Builds the network layer for layer with Caffe's shape rules (node names = Caffe layer names, so EdgeCaffe-style
per-layer profiles match) and writes it with seeded random weights: the structure, sizes and compute are the
real network's, the values are not (caffemodel weights are not read). --batch sets the input batch (default 1).
A model over --max-size (default 2 GiB, protobuf's limit: onnxruntime cannot load a larger single-file model) or
over the free space of its file system is refused before anything is written.`,
  options: {
    out: { type: "string" },
    batch: { type: "string" },
    name: { type: "string" },
    "max-size": { type: "string" },
  },
  async run(ctx) {
    const file = onlyArgument(ctx, "import-caffe", "FILE: a Caffe deploy .prototxt");
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      const code = (error as { code?: string }).code;
      throw new UsageError(`${file}: cannot read the file (${code === "ENOENT" ? "no such file" : code === "EISDIR" ? "a folder, not a .prototxt file" : code})`, "E_FILE");
    }
    const batch = parseInteger("batch", ctx.values.batch, 1, 1);
    const maxBytes = parseSize("max-size", ctx.values["max-size"]) ?? DEFAULT_MAX_BYTES;
    const stem = basename(file).replace(/\.(prototxt|pbtxt|txt)$/i, "").replace(/\.prototxt$/i, "");
    const name = (ctx.values.name as string | undefined) ?? stem;
    const out = (ctx.values.out as string | undefined) ?? file.replace(/(\.prototxt)?(\.txt)?$/i, "") + ".onnx";
    checkOutputFile("out", out);
    checkNotInput("out", out, [file]);
    const graph = importPrototxt(text, { name, batch, where: file });
    const bytes = await writingOutput(() => writeModelFile(graph, out, undefined, { maxBytes, maxFlag: "--max-size" }));
    const weights = graph.nodes.reduce((a, n) => a + n.weightsBytes, 0);
    ctx.out(
      `wrote ${out} (${formatBytes(bytes)}): ${graph.nodes.length} nodes, ${formatBytes(weights)} of seeded weights, ` +
        `input ${graph.input.name} ${graph.input.shape.join("x")}, output ${graph.output.name} ${graph.output.shape.join("x")}\n`,
    );
    return 0;
  },
};
