// Run by main-thread.test.ts in a fresh process: prepares a real run of two PP-OCR models (what `mema run`
// does before it starts its workers) and prints whether onnxruntime's native library is mapped in the process.
import { existsSync, readFileSync } from "node:fs";
import { compile } from "../../../lang/index.ts";
import { prepareReal } from "../../../runtime/execute/index.ts";
import { stdlib } from "../../../stdlib/index.ts";
import { CLS, DET } from "../host/ocr-models.ts";

const text = `pipeline ocr <
  model cls from "${CLS.path}" { shapes: { x: [${CLS.shape.join(", ")}] } };
  model det from "${DET.path}" { shapes: { x: [${DET.shape.join(", ")}] } };
  workers 2;
>`;
const { plan, diagnostics } = compile(text);
if (!plan) throw new Error(JSON.stringify(diagnostics));
const prepared = await prepareReal(plan.pipelines[0]!, stdlib);
const maps = existsSync("/proc/self/maps") ? readFileSync("/proc/self/maps", "utf8") : undefined;
console.log(JSON.stringify({ layers: prepared.networks.map((n) => n.model.layers.length), onnxruntimeMapped: maps === undefined ? null : /libonnxruntime/.test(maps) }));
