// The report renderers in one import (pure: no file system; runtime/report/files.ts writes them to disk).
export { renderSummary, describeRun, type SummaryOptions } from "./summary.ts";
export { renderComparison, type ComparisonOptions } from "./comparison.ts";
export { toJson } from "./json.ts";
export { stepsCsv, networksCsv, layersCsv, toCsv, csvField } from "./csv.ts";
export { renderTimeline, renderTimelinePage, type TimelineFormat, type TimelineOptions } from "./timeline.ts";
export { createProgress, progressLine, type Progress, type ProgressOptions, type ProgressStream } from "./progress.ts";
export { formatBytes, formatMs } from "./quantity.ts";
