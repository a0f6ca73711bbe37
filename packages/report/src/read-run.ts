// Reads a run directory (config.json, state.json, metrics.jsonl, samples.jsonl) of a finished, running or crashed run.
import { parseJsonl } from '@molrl/common';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { errors } from './errors.ts';
import { metricColumns } from './metric-columns.ts';
import { phaseSpans } from './phase-spans.ts';
import type { ReportRun } from './report-data.ts';

/** A run as read from disk: the page's view of it and its raw sample lines. */
export interface RunRead {
  run: Omit<ReportRun, 'samples'>;
  /** Parsed sample lines (objects only), in file order. */
  sampleLines: Array<Record<string, unknown>>;
}

/** Parses a JSONL file that may be being written: a torn last line is dropped, other bad lines are counted. */
export function readAppendOnly(file: string, what: string, notes: string[]): Array<Record<string, unknown>> {
  if (!existsSync(file)) {
    notes.push(`${what} does not exist yet`);
    return [];
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw errors.REPORT_RUN_UNREADABLE(file, cause);
  }
  const lines = parseJsonl(text);
  const out: Array<Record<string, unknown>> = [];
  let bad = 0;
  lines.forEach((l, i) => {
    if (l.error !== undefined) {
      // The writer appends whole lines; a last line without its newline is one being written (or cut by a crash).
      if (i === lines.length - 1 && !text.endsWith('\n')) notes.push(`${what}: the last line is incomplete (being written, or cut by a crash) and was skipped`);
      else bad++;
      return;
    }
    if (l.value !== null && typeof l.value === 'object' && !Array.isArray(l.value)) out.push(l.value as Record<string, unknown>);
    else bad++;
  });
  if (bad) notes.push(`${what}: ${bad} line(s) that are not JSON objects were skipped`);
  return out;
}

/** Reads `dir` (a run directory: it must hold config.json). */
export function readRun(dir: string): RunRead {
  const abs = resolve(dir);
  const configFile = join(abs, 'config.json');
  if (!existsSync(configFile)) throw errors.REPORT_RUN_NOT_FOUND(abs);
  const notes: string[] = [];
  let config: unknown = null;
  try {
    config = JSON.parse(readFileSync(configFile, 'utf8'));
  } catch (cause) {
    notes.push(`config.json could not be parsed (${(cause as Error).message})`);
  }
  let finished = false;
  const stateFile = join(abs, 'state.json');
  if (existsSync(stateFile)) {
    try {
      finished = (JSON.parse(readFileSync(stateFile, 'utf8')) as { finished?: unknown }).finished === true;
    } catch {
      notes.push('state.json could not be parsed');
    }
  }
  const metricsFile = join(abs, 'metrics.jsonl');
  const lines = readAppendOnly(metricsFile, 'metrics.jsonl', notes);
  const sampleLines = readAppendOnly(join(abs, 'samples.jsonl'), 'samples.jsonl', notes);
  const steps = lines.map((l) => l.step).filter((s): s is number => typeof s === 'number');
  const times = lines.map((l) => l.time).filter((t): t is string => typeof t === 'string');
  const phases = phaseSpans(config, lines);
  return {
    run: {
      name: basename(abs),
      dir: abs,
      status: finished ? 'finished' : 'unfinished',
      lastStep: steps.length ? Math.max(...steps) : 0,
      totalSteps: phases.length ? phases[phases.length - 1].end : 0,
      lastWrite: existsSync(metricsFile) ? statSync(metricsFile).mtime.toISOString() : null,
      firstTime: times[0] ?? null,
      lastTime: times.at(-1) ?? null,
      phases,
      metrics: metricColumns(lines),
      metricLines: lines.length,
      notes,
      config,
    },
    sampleLines,
  };
}
