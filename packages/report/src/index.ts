// @molrl/report: a run store -> one self-contained HTML report (curves, sample browser), and a live view.
export { buildReport, runFilesVersion, type BuiltReport, type ReportOptions } from './build-report.ts';
export { planCharts, CHART_GROUPS, type ChartSpec } from './chart-plan.ts';
export { errors } from './errors.ts';
export { metricColumns } from './metric-columns.ts';
export { phaseSpans } from './phase-spans.ts';
export { readRun, readAppendOnly, type RunRead } from './read-run.ts';
export { renderHtml } from './render-html.ts';
export type { MetricColumn, PageRunSamples, PageSample, PhaseSpan, ReportData, ReportRun, RunStatus, SamplePackInfo, SampleReward } from './report-data.ts';
export { filterSamples, type SampleFilter } from './sample-filter.ts';
export { DEFAULT_MAX_SAMPLES, DEFAULT_MAX_TEXT_CHARS, packSamples, pickSteps, promptText, type SamplePackOptions } from './sample-pack.ts';
export { watchReport, type LiveReport, type WatchOptions } from './watch-report.ts';
export { defaultReportPath, writeReport, type WrittenReport } from './write-report.ts';
