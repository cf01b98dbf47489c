// Writes example timelines from synthetic runs, for looking at the charts after a change (not a test):
//   node --import tsx test/runtime/report/render-examples.ts OUT_DIR   (then e.g. rsvg-convert OUT_DIR/x.svg -o x.png)
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { renderComparison } from "../../../runtime/report/comparison.ts";
import { renderSummary } from "../../../runtime/report/summary.ts";
import { renderTimeline, renderTimelinePage } from "../../../runtime/report/timeline.ts";
import { syntheticReport } from "./synthetic-report.ts";

const out = process.argv[2] ?? "timeline-examples";
mkdirSync(out, { recursive: true });
const MIB = 1024 * 1024;
const simulated = syntheticReport();
const real = syntheticReport({ withRss: true });
const long = syntheticReport({ roundsMs: Array.from({ length: 40 }, (_, i) => i * 2200), budgetBytes: 512 * MIB });
writeFileSync(join(out, "simulated.svg"), renderTimeline(simulated));
writeFileSync(join(out, "real.svg"), renderTimeline(real));
writeFileSync(join(out, "real.html"), renderTimeline(real, { format: "html" }));
writeFileSync(join(out, "long.svg"), renderTimeline(long));
const sweep = [192, 256, 512].flatMap((mib) => ["mema", "partial"].map((policy, i) => syntheticReport({ policy, budgetBytes: mib * MIB, seed: 7 + i })));
writeFileSync(join(out, "sweep.html"), renderTimelinePage(sweep));
process.stdout.write(renderSummary(simulated, { maxNetworkRows: 8 }) + "\n" + renderComparison(sweep));
process.stdout.write(`\nwrote ${out}/{simulated,real,long}.svg, real.html, sweep.html\n`);
