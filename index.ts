// The library: `import { parse, check, compile, run } from "mema"`.
export type { Plan, PipelinePlan, ModelPlan, RunSettings, ArrivalsPlan } from "./lang/plan.ts";
export type { LayerInfo, SplitModel, TensorInfo } from "./runtime/model/types.ts";
export type { RunReport, StepRecord, NetworkRecord } from "./runtime/report/types.ts";
export { zooInfo, zooModel, zooModelPath, zooName, type ZooInfo } from "./stdlib/zoo/index.ts";
export { parse, check, compile, format, renderDiagnostics, memaSchema, memoryHost, type Diagnostic, type SourceHost, type CompileOptions } from "./lang/index.ts";
export { layerTimes, loadDeviceProfile, type DeviceProfile, type LayerTimes } from "./stdlib/profiles/index.ts";
export { splitModel, planLayers, verifyModel, profileModel, loadLayer, parseShapeSpec, ModelError, HEAVY_BYTES_PER_FLOP, type SplitOptions, type PlanOptions, type Granularity, type LayerProfile } from "./runtime/model/index.ts";
export { renderSummary, renderComparison, toJson, stepsCsv, networksCsv, layersCsv, renderTimeline, renderTimelinePage, createProgress, type TimelineOptions, type Progress } from "./runtime/report/index.ts";
export { run, type RunDocumentOptions } from "./runtime/execute/library-run.ts";
export { simulate, simulatePipeline, pipelineScenario, profiledResolver, Engine, SchedulingError, drive, runWithBackend, chainNetwork, networkFromLayers, policies, policyByName, type NetworkSpec, type Policy, type PolicyContext, type Scenario, type StepBackend } from "./runtime/schedule/index.ts";
export { fileHost } from "./runtime/host/files.ts";
