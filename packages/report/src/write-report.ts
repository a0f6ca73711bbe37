// writeReport: reads runs and writes the self-contained HTML report (atomically: a temporary file, then a rename).
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { buildReport, type ReportOptions } from './build-report.ts';
import { errors } from './errors.ts';
import { renderHtml } from './render-html.ts';

/** What writeReport wrote. */
export interface WrittenReport {
  /** Absolute path of the HTML file. */
  out: string;
  bytes: number;
  runs: Array<{ name: string; dir: string; status: string; lastStep: number; metricLines: number; samples: { total: number; kept: number }; notes: string[] }>;
}

/** The default output: report.html in the first run's directory. */
export function defaultReportPath(dirs: readonly string[]): string {
  return join(resolve(dirs[0]), 'report.html');
}

/** Writes `html` to `out` through a temporary file and a rename, so that no reader sees half a page. */
export function writeAtomically(out: string, html: string): void {
  const tmp = `${out}.tmp-${process.pid}`;
  try {
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(tmp, html);
    renameSync(tmp, out);
  } catch (cause) {
    throw errors.REPORT_OUT_INVALID(out, cause);
  }
}

/** Reads the runs in `dirs` and writes one HTML file (default: <first run>/report.html). */
export function writeReport(dirs: readonly string[], options: ReportOptions & { out?: string } = {}): WrittenReport {
  const out = resolve(options.out ?? defaultReportPath(dirs));
  const report = buildReport(dirs, options);
  const html = renderHtml(report);
  writeAtomically(out, html);
  return {
    out,
    bytes: Buffer.byteLength(html),
    runs: report.data.runs.map((r) => ({ name: r.name, dir: r.dir, status: r.status, lastStep: r.lastStep, metricLines: r.metricLines, samples: { total: r.samples.total, kept: r.samples.kept }, notes: r.notes })),
  };
}
