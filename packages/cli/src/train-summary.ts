// The final summary table of `molrl train`: each eval metric before and after training, the run path and time.
import type { MetricsRecord } from '@molrl/core';
import { formatDuration } from './train-progress.ts';

/** Rows shown, in order, when present. */
const KEYS: Array<[string, string]> = [
  ['eval/reward/mean', 'eval reward (sampled)'],
  ['eval/pass@1', 'pass@1 (sampled)'],
  ['eval/greedy/accuracy', 'greedy accuracy'],
];

/** A plain-text table comparing the first and the last eval of a run. */
export function formatTrainSummary(evals: readonly MetricsRecord[], runDir: string, seconds: number): string {
  const lines: string[] = [];
  if (evals.length > 0) {
    const before = evals[0];
    const after = evals[evals.length - 1];
    const keys: Array<[string, string]> = [...KEYS];
    for (const k of Object.keys(after)) if (k.startsWith('eval/greedy/accuracy/')) keys.push([k, `greedy accuracy: ${k.slice('eval/greedy/accuracy/'.length)}`]);
    const t = before['eval/temperature'];
    if (t !== undefined) keys[0][1] = `eval reward (T=${t})`;
    const rows = keys.filter(([k]) => typeof after[k] === 'number' || typeof before[k] === 'number');
    const w = Math.max(...rows.map(([, label]) => label.length), 6);
    lines.push(`${'metric'.padEnd(w)}  ${`step ${before.step}`.padStart(10)}  ${`step ${after.step}`.padStart(10)}`);
    for (const [k, label] of rows) {
      const f = (v: unknown) => (typeof v === 'number' ? v.toFixed(3) : '-').padStart(10);
      lines.push(`${label.padEnd(w)}  ${f(before[k])}  ${f(after[k])}`);
    }
  }
  lines.push(`run: ${runDir}`);
  lines.push(`time: ${formatDuration(seconds)}`);
  return lines.join('\n') + '\n';
}
