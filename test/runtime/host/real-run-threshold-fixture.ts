// A fresh process that makes one small real run, then prints heap-probe.mjs's figures as JSON (null where
// they cannot be had): whether the run left the process with a fixed mmap threshold.
import { runRealScenario } from "../../../runtime/execute/real-run.ts";
import { defaultSessionSettings } from "../../../runtime/execute/session-options.ts";
import { policyByName } from "../../../stdlib/policies/index.ts";
import { ocrNetworks, ocrScenario } from "../execute/ocr-scenario.ts";
import { returnedOnFree } from "./heap-probe.mjs";

const networks = await ocrNetworks();
await runRealScenario(ocrScenario(networks, 1), { policy: policyByName("linear")!, workers: 2, memoryBudgetBytes: null, session: defaultSessionSettings(2) });
console.log(JSON.stringify(returnedOnFree()));
