// `mema import-caffe FILE.prototxt`: a Caffe deploy network as an ONNX model with seeded weights (structure only).
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { writeModelFile } from "../stdlib/zoo/generate.ts";
import { importPrototxt, PrototxtError } from "../stdlib/zoo/prototxt.ts";
import { type Command, UsageError } from "./command.ts";

export const command: Command = {
  name: "import-caffe",
  summary: "turn a Caffe deploy prototxt into an ONNX model (seeded weights) that mema can split and run",
  usage: `mema import-caffe FILE.prototxt [--out FILE.onnx] [--batch N] [--name NAME]

Builds the network layer for layer with Caffe's shape rules (node names = Caffe layer names, so EdgeCaffe-style
per-layer profiles match) and writes it with seeded random weights: the structure, sizes and compute are the
real network's, the values are not (caffemodel weights are not read). --batch sets the input batch (default 1).`,
  options: {
    out: { type: "string" },
    batch: { type: "string" },
    name: { type: "string" },
  },
  async run(ctx) {
    const file = ctx.positionals[0];
    if (!file) throw new UsageError("missing FILE: a Caffe deploy .prototxt");
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch {
      throw new UsageError(`${file}: cannot read the file`, "E_FILE");
    }
    const batch = ctx.values.batch === undefined ? 1 : Number(ctx.values.batch);
    if (!Number.isInteger(batch) || batch < 1) throw new UsageError(`--batch '${String(ctx.values.batch)}': expected a positive integer`, "E_OPTION");
    const stem = basename(file).replace(/\.(prototxt|pbtxt|txt)$/i, "").replace(/\.prototxt$/i, "");
    const name = (ctx.values.name as string | undefined) ?? stem;
    const out = (ctx.values.out as string | undefined) ?? file.replace(/(\.prototxt)?(\.txt)?$/i, "") + ".onnx";
    let graph;
    try {
      graph = importPrototxt(text, { name, batch, where: file });
    } catch (error) {
      if (error instanceof PrototxtError) throw new UsageError(error.message, error.code);
      throw error;
    }
    const bytes = await writeModelFile(graph, out);
    const weights = graph.nodes.reduce((a, n) => a + n.weightsBytes, 0);
    ctx.out(
      `wrote ${out} (${size(bytes)}): ${graph.nodes.length} nodes, ${size(weights)} of seeded weights, ` +
        `input ${graph.input.name} ${graph.input.shape.join("x")}, output ${graph.output.name} ${graph.output.shape.join("x")}\n`,
    );
    return 0;
  },
};

function size(bytes: number): string {
  return bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${(bytes / 1e3).toFixed(1)} kB`;
}
