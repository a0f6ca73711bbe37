// metrics.jsonl lines -> one column (steps, values) per metric name; every numeric field becomes a metric.
import type { MetricColumn } from './report-data.ts';

/** Fields of a metrics line that are coordinates, not metrics. */
const NOT_METRICS = new Set(['step', 'phase']);

/** Six significant digits: enough for a plot, and a third of the JSON of full doubles. */
const round = (v: number) => (Number.isInteger(v) ? v : Number(v.toPrecision(6)));

/**
 * Columns of every numeric (or null) field of `lines`, keyed by name, in first-seen order. Lines without a
 * numeric `step` are skipped; strings (`phaseType`, `time`) are not metrics.
 */
export function metricColumns(lines: ReadonlyArray<Record<string, unknown>>): Record<string, MetricColumn> {
  const out: Record<string, MetricColumn> = {};
  for (const line of lines) {
    const step = line.step;
    if (typeof step !== 'number' || !Number.isFinite(step)) continue;
    for (const [key, value] of Object.entries(line)) {
      if (NOT_METRICS.has(key)) continue;
      if (value !== null && typeof value !== 'number') continue;
      const col = (out[key] ??= { s: [], v: [] });
      col.s.push(step);
      col.v.push(value === null || !Number.isFinite(value) ? null : round(value));
    }
  }
  return out;
}
