// Floating-point operation estimates per node (2 x multiply-accumulates), from concrete shapes.
import { elementCount } from "./dtypes.ts";
import type { GraphNode } from "./graph.ts";

/** Shape lookup: concrete dims of a value or weight, undefined when unknown. */
export type ShapeOf = (name: string) => number[] | undefined;

function intAttr(node: GraphNode, name: string, fallback: number): number {
  const attr = node.proto.attribute.find((a) => a.name === name);
  return attr ? Number(attr.i) : fallback;
}

/** An estimate: exact for Conv/Gemm/MatMul, one operation per output element for the rest; 0 when shapes are unknown. */
export function nodeFlops(node: GraphNode, shapeOf: ShapeOf): number {
  const out = node.outputs[0] ? shapeOf(node.outputs[0]) : undefined;
  if (!out) return 0;
  const outElements = elementCount(out);
  const input = (i: number) => (node.proto.input[i] ? shapeOf(node.proto.input[i]!) : undefined);
  switch (node.op) {
    case "Conv": {
      const w = input(1);
      return w ? 2 * outElements * elementCount(w.slice(1)) : 0;
    }
    case "ConvTranspose": {
      const x = input(0);
      const w = input(1);
      // Each input element scatters into (M/group) x kernel outputs: W is [C, M/group, k...].
      return x && w ? 2 * elementCount(x) * elementCount(w.slice(1)) : 0;
    }
    case "Gemm": {
      const a = input(0);
      if (!a || a.length !== 2) return 0;
      const k = intAttr(node, "transA", 0) ? a[0]! : a[1]!;
      return 2 * outElements * k;
    }
    case "MatMul": {
      const a = input(0);
      const k = a?.[a.length - 1];
      return k ? 2 * outElements * k : 0;
    }
    case "MaxPool":
    case "AveragePool": {
      const kernel = node.proto.attribute.find((a) => a.name === "kernel_shape")?.ints.map(Number) ?? [1];
      return outElements * elementCount(kernel);
    }
    case "GlobalAveragePool":
    case "GlobalMaxPool":
    case "ReduceMean":
    case "ReduceSum":
    case "ReduceMax": {
      const x = input(0);
      return x ? elementCount(x) : outElements;
    }
    default:
      return outElements;
  }
}
