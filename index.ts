// The library: `import { parse, check, compile, run } from "mema"`. Also its composition root: `run` hands
// stdlib's plug-ins (policies, zoo, device profiles) to the runtime, which imports none of them itself.
import type { Plan } from "./lang/plan.ts";
import type { Plugins } from "./runtime/plugins.ts";
import { runDocument, type RunDocumentOptions } from "./runtime/execute/library-run.ts";
import type { RunReport } from "./runtime/report/types.ts";
import { stdlib } from "./stdlib/index.ts";
export type { Plan, PipelinePlan, ModelPlan, RunSettings, ArrivalsPlan } from "./lang/plan.ts";
export type { LayerInfo, SplitModel, TensorInfo } from "./runtime/model/types.ts";
export type { RunReport, StepRecord, NetworkRecord } from "./runtime/report/types.ts";
export { zooInfo, zooModel, zooModelPath, zooName, type ZooInfo } from "./stdlib/zoo/index.ts";
export { parse, check, compile, format, renderDiagnostics, memaSchema, memoryHost, extendCatalog, type Catalog, type Diagnostic, type SourceHost, type CompileOptions } from "./lang/index.ts";
export { layerTimes, loadDeviceProfile, type DeviceProfile, type LayerTimes } from "./stdlib/profiles/index.ts";
export { splitModel, planLayers, verifyModel, profileModel, loadLayer, parseShapeSpec, ModelError, HEAVY_BYTES_PER_FLOP, type SplitOptions, type PlanOptions, type Granularity, type LayerProfile } from "./runtime/model/index.ts";
export { renderSummary, renderComparison, toJson, stepsCsv, networksCsv, layersCsv, renderTimeline, renderTimelinePage, createProgress, type TimelineOptions, type Progress } from "./runtime/report/index.ts";
export { RunDocumentError, type RunDocumentOptions } from "./runtime/execute/library-run.ts";
export type { Plugins, ZooPlugin, ProfilesPlugin, SimulationPlugins } from "./runtime/plugins.ts";
export { stdlib } from "./stdlib/index.ts";
export { policies, policyByName } from "./stdlib/policies/index.ts";
export { simulate, simulatePipeline, pipelineScenario, profiledResolver, Engine, SchedulingError, drive, runWithBackend, chainNetwork, networkFromLayers, type NetworkSpec, type Policy, type PolicyContext, type Scenario, type StepBackend } from "./runtime/schedule/index.ts";
export { fileHost } from "./runtime/host/files.ts";

/**
 * Runs every pipeline (each sweep point) of `document` and returns one report per run. `plugins` replaces
 * stdlib's, e.g. `{ ...stdlib, policyByName: (name) => name === "mine" ? mine : stdlib.policyByName(name) }`
 * (a document naming a policy of your own is compiled first, with that name in `compile`'s `catalog`, and
 * passed as a Plan).
 */
export function run(document: string | Plan, options: RunDocumentOptions & { plugins?: Plugins } = {}): Promise<RunReport[]> {
  return runDocument(document, options.plugins ?? stdlib, options);
}
