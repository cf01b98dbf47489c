// A fresh process that makes one small real run, then prints heap-probe.mjs's figures as JSON (null where
// they cannot be had): whether the run left the process with a fixed mmap threshold. The argument says the
// run's budget: "tight" (a byte less than its weights) or "ample" (no budget).
import { runRealScenario } from "../../../runtime/execute/real-run.ts";
import { defaultSessionSettings } from "../../../runtime/execute/session-options.ts";
import { weightsOf } from "../../../runtime/schedule/units.ts";
import { policyByName } from "../../../stdlib/policies/index.ts";
import { ocrNetworks, ocrScenario } from "../execute/ocr-scenario.ts";
import { returnedOnFree } from "./heap-probe.mjs";

const scenario = ocrScenario(await ocrNetworks(), 1);
const budget = process.argv.at(-1) === "tight" ? weightsOf(scenario.networks) - 1 : null;
await runRealScenario(scenario, { policy: policyByName("linear")!, workers: 2, memoryBudgetBytes: budget, session: defaultSessionSettings(2) });
console.log(JSON.stringify(returnedOnFree()));
