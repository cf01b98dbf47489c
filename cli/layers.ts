// `mema layers MODEL`: how a model splits into layers, as a table or JSON.
import { formatBytes } from "../runtime/report/quantity.ts";
import { renderTextTable, type TextColumn } from "../runtime/report/text-table.ts";
import type { LayerInfo, SplitModel, TensorInfo } from "../runtime/model/types.ts";
import type { Command } from "./command.ts";
import { resolveModel, SPLIT_OPTIONS, splitOptions } from "./model-args.ts";

const shapeText = (t: TensorInfo) => `${t.name}[${t.shape.join("x")}]`;

const COLUMNS: TextColumn[] = [
  { header: "#", align: "right" },
  { header: "layer" },
  { header: "ops" },
  { header: "weights", align: "right" },
  { header: "activations", align: "right" },
  { header: "MFLOP", align: "right" },
  { header: "heavy" },
  { header: "outputs" },
];

function table(layers: LayerInfo[]): string {
  const rows = layers.map((l) => [
    String(l.index),
    l.name,
    l.ops.length > 4 ? `${l.ops.slice(0, 4).join(",")},+${l.ops.length - 4}` : l.ops.join(","),
    formatBytes(l.weightsBytes),
    formatBytes(l.activationBytes),
    (l.flops / 1e6).toFixed(1),
    l.heavy,
    l.outputs.map(shapeText).join(" "),
  ]);
  return renderTextTable(COLUMNS, rows) + "\n";
}

/** What a user should know about control flow: an If split through its constant condition, a node kept whole and why. */
export function controlFlowNotes(split: SplitModel): string[] {
  const notes = (split.inlined ?? []).map(
    (i) => `If '${i.node}' has a constant condition (${i.branch === "then_branch"}): its ${i.branch} (${i.nodes} nodes) is split like the rest of the model`,
  );
  for (const layer of split.layers) {
    for (const c of layer.controlFlow ?? []) {
      const where = split.layers.length === 1 ? "the model is one layer, which" : `layer ${layer.index}`;
      notes.push(`${where} holds ${c.op} '${c.node}' with ${c.nodes} nodes inside, kept whole: ${c.reason}`);
    }
  }
  return notes;
}

export const command: Command = {
  name: "layers",
  usage: `mema layers MODEL [--shape NAME=DIMS]... [--cap SIZE] [--granularity layer|node|merged] [--merge SIZE] [--json]

MODEL is an .onnx file or a zoo network name. --shape gives symbolic input dims (x=1x3x224x224).
--cap SIZE tiles layers whose weights exceed SIZE; --merge SIZE merges consecutive layers up to SIZE
of weights (implies --granularity merged). Sizes take units: B, KB, MB, GB, KiB, MiB, GiB.
Notes after the table name each If whose constant condition let it be split through, and each If, Loop
or Scan kept whole in one layer, with why.`,
  options: {
    ...SPLIT_OPTIONS,
    json: { type: "boolean" },
  },
  async run(ctx) {
    // Flags first: a bad --cap should not wait for a zoo model to be generated.
    const options = splitOptions(ctx.values);
    const model = await resolveModel(ctx, "layers");
    // Loaded here, not at the top: `mema --help` lists commands without loading onnxruntime.
    const { splitModel } = await import("../runtime/model/split.ts");
    const split = await splitModel(model.path, { ...options, name: model.name });
    if (ctx.values.json) {
      ctx.out(JSON.stringify({ model: split.name, path: split.path, sha256: split.sha256, inputs: split.inputs, outputs: split.outputs, weightsBytes: split.weightsBytes, layers: split.layers }, null, 2) + "\n");
    } else {
      ctx.out(table(split.layers));
      ctx.out(`${split.layers.length} layers, ${formatBytes(split.weightsBytes)} of weights\n`);
      for (const note of controlFlowNotes(split)) ctx.out(`note: ${note}\n`);
    }
    return 0;
  },
};
