// Reads runs into the page's data: metrics columns and phases per run, samples packed and gzip+base64 encoded.
import { parseJsonl } from '@molrl/common';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { readRun } from './read-run.ts';
import type { PageRunSamples, ReportData, ReportRun } from './report-data.ts';
import { packSamples, promptText, type SamplePackOptions } from './sample-pack.ts';

/** Options of a report. */
export interface ReportOptions extends SamplePackOptions {
  /** Page title. @default 'molrl report: <run names>' */
  title?: string;
  /** The page polls /data (the --watch server sets this). @default false */
  live?: boolean;
}

/** A report ready to render: the data, the samples (base64 of gzip of JSON PageRunSamples[]) and a version. */
export interface BuiltReport {
  data: ReportData;
  samples: string;
  /** Changes whenever a run's files change (sizes and modification times). */
  version: string;
}

/** The version of the files of `dirs`: a hash of their sizes and modification times. */
export function runFilesVersion(dirs: readonly string[]): string {
  const hash = createHash('sha1');
  for (const dir of dirs) {
    for (const f of ['config.json', 'state.json', 'metrics.jsonl', 'samples.jsonl']) {
      const file = join(dir, f);
      if (!existsSync(file)) continue;
      const st = statSync(file);
      hash.update(`${file}\0${st.size}\0${st.mtimeMs}\n`);
    }
  }
  return hash.digest('hex').slice(0, 16);
}

/** Prompt id -> text from the dataset files a config names (for run stores whose samples carry no prompt). */
function datasetPrompts(config: unknown): Map<string, string> {
  const out = new Map<string, string>();
  const ds = (config as { dataset?: { train?: unknown; eval?: unknown } } | null)?.dataset;
  for (const file of [ds?.train, ds?.eval]) {
    if (typeof file !== 'string' || !existsSync(file)) continue;
    parseJsonl(readFileSync(file, 'utf8')).forEach((l) => {
      const v = l.value as { id?: unknown; prompt?: unknown; messages?: unknown } | undefined;
      if (v && (typeof v.id === 'string' || typeof v.id === 'number')) out.set(String(v.id), promptText(v.messages ?? v.prompt));
    });
  }
  return out;
}

/** Reads `dirs` and builds the report's data. */
export function buildReport(dirs: readonly string[], options: ReportOptions = {}): BuiltReport {
  const version = runFilesVersion(dirs);
  const runs: ReportRun[] = [];
  const samples: PageRunSamples[] = [];
  const names = new Map<string, number>();
  for (const dir of dirs) {
    const { run, sampleLines } = readRun(dir);
    const needPrompts = sampleLines.length > 0 && sampleLines[0].prompt === undefined;
    const prompts = needPrompts ? datasetPrompts(run.config) : undefined;
    if (needPrompts) run.notes.push(prompts?.size ? 'prompts were read from the dataset the config names (this run store does not record them)' : 'prompts are not recorded in this run store and its dataset was not found');
    const { info, packed } = packSamples(sampleLines, options, prompts);
    const seen = names.get(run.name) ?? 0;
    names.set(run.name, seen + 1);
    runs.push({ ...run, name: seen ? `${run.name}-${seen + 1}` : run.name, samples: info });
    samples.push(packed);
  }
  const title = options.title ?? `molrl report: ${runs.map((r) => r.name).join(', ')}`;
  return {
    data: { title, generatedAt: new Date().toISOString(), live: options.live ?? false, runs },
    samples: gzipSync(JSON.stringify(samples), { level: 9 }).toString('base64'),
    version,
  };
}
