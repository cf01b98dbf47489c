// The scheduler's public surface: networks, step graphs, the engine and its drivers, the simulator, the policy
// interface (the policies themselves are plug-ins: stdlib/policies).
export { chainNetwork, networkFacts, type ChainLayer, type LayerSpec, type NetworkFacts, type NetworkSpec } from "./network.ts";
export { networkFromLayers, type FromLayersOptions, type LayerTimes as StepTimes } from "./from-layers.ts";
export { buildStepGraph, type GraphMode, type Instance, type Release, type Step, type StepGraph, type Unit } from "./graph.ts";
export { expandArrivals, type Arrival, type ArrivalSchedule } from "./arrivals.ts";
export { AdmissionGuard } from "./admission.ts";
export { Engine, SchedulingError, type Dispatch, type EngineOptions, type Launch } from "./engine.ts";
export { drive, runWithBackend, type StepBackend } from "./drive.ts";
export { simulate, simulateRun, prepareRun, buildReport, type PreparedRun, type RunOptions, type Scenario, type TileRequest } from "./simulate.ts";
export { pipelineScenario, simulatePipeline, reseedArrivals, type ModelResolver, type SweepOptions } from "./pipeline.ts";
export { profiledResolver, convLayerCount, type ProfiledResolverOptions } from "./profiled-networks.ts";
export { lowerBoundMs, criticalPathMs, percentile } from "./metrics.ts";
export type { Admission, LaneSpec, Policy, PolicyContext, PolicyFactory } from "./policy.ts";
