// The exec's transient bytes estimated by planning: intermediate tensors inside a layer and kernel scratch.
import { test } from "node:test";
import assert from "node:assert/strict";
import { planLayers } from "../../../runtime/model/split-plan.ts";
import { model, node, tensorValue, weight } from "./graph-builder.ts";
import { chainModel } from "./split-cases.ts";

const MLAS_SEGMENT_BYTES = 128 * 128 * 4;

test("a layer's workspace: its intermediates at the worst node plus the Conv's im2col segment", () => {
  const layers = planLayers(chainModel({ valueInfo: true }));
  // conv1 + relu1 + pool1: c1 (2048 B) is alive while conv1 runs with its segment; then c1 and r1 together.
  assert.equal(layers[0]!.execWorkspaceBytes, 2048 + MLAS_SEGMENT_BYTES);
  // conv2 + relu2 + flatten2: c2 (256 B) next to conv2's segment.
  assert.equal(layers[1]!.execWorkspaceBytes, 256 + MLAS_SEGMENT_BYTES);
  // Gemm + Softmax: g3 (40 B), and the output's copy into JavaScript (40 B).
  assert.equal(layers[2]!.execWorkspaceBytes, 40);
});

test("grouped Conv expands its whole im2col matrix; ConvTranspose a column buffer; pointwise Conv none", () => {
  const proto = model({
    inputs: [tensorValue("x", [1, 4, 64, 64])],
    outputs: [tensorValue("t", [1, 8, 64, 64])],
    initializers: [weight("wg", [4, 2, 3, 3]), weight("wp", [4, 4, 1, 1]), weight("wt", [4, 8, 3, 3])],
    nodes: [
      node("Conv", ["x", "wg"], ["g"], { pads: [1, 1, 1, 1], group: 2 }, "grouped"),
      node("Conv", ["g", "wp"], ["p"], {}, "pointwise"),
      node("ConvTranspose", ["p", "wt"], ["t"], { pads: [1, 1, 1, 1] }, "transposed"),
    ],
    valueInfo: [tensorValue("g", [1, 4, 64, 64]), tensorValue("p", [1, 4, 64, 64])],
  });
  const [grouped, pointwise, transposed] = planLayers(proto);
  // K = 2 channels x 9 taps per group, 4096 output pixels, float32; or the output's copy, if larger.
  assert.equal(grouped!.execWorkspaceBytes, 2 * 9 * 4096 * 4);
  // Nothing but the copy of its 64 KiB output.
  assert.equal(pointwise!.execWorkspaceBytes, 4 * 4096 * 4);
  // Cout/group x 9 taps x 4096 input pixels.
  assert.equal(transposed!.execWorkspaceBytes, 8 * 9 * 4096 * 4);
});
