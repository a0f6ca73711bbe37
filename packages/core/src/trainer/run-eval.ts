// Evaluation: reward and pass@1 sampled at the eval temperature (averaged over runs), and greedy accuracy per class.
import type { PolicyClient } from '@molrl/policy-client';
import type { EvalConfig } from '../config/job-config-types.ts';
import type { DatasetRow } from '../dataset/load-dataset.ts';
import type { RewardEngine } from '../types.ts';
import { generateAndScore } from './generate-and-score.ts';
import type { MetricsRecord } from './phase-context.ts';
import { rewardMetrics } from './reward-metrics.ts';

/** Runs one evaluation over the first `cfg.samples` eval rows; keys are prefixed `eval/`. */
export async function runEval(client: PolicyClient, engine: RewardEngine, rows: readonly DatasetRow[], cfg: EvalConfig, opts: { seed: number; step: number; dedupe?: boolean; signal?: AbortSignal; chatTemplateKwargs?: Record<string, unknown> }): Promise<MetricsRecord> {
  const subset = rows.slice(0, cfg.samples);
  const base = { seed: opts.seed, step: opts.step, dedupe: opts.dedupe ?? true, ...(opts.signal ? { signal: opts.signal } : {}), ...(opts.chatTemplateKwargs ? { chatTemplateKwargs: opts.chatTemplateKwargs } : {}) };
  const t0 = performance.now();
  const sampled = await generateAndScore(client, engine, subset, { ...base, n: cfg.runs, sampling: cfg.sampling, idPrefix: `eval-${opts.step}` });
  const scored = sampled.groups.flat().map((c) => c.scored);
  const out: MetricsRecord = {
    ...rewardMetrics(scored, 'eval/'),
    'eval/pass@1': scored.filter((s) => (s.score ?? -Infinity) >= cfg.correctThreshold).length / Math.max(1, scored.length),
    'eval/temperature': cfg.sampling.temperature ?? 1,
  };
  if (cfg.greedy) {
    const greedy = await generateAndScore(client, engine, subset, { ...base, n: 1, sampling: { ...cfg.sampling, temperature: 0 }, idPrefix: `eval-greedy-${opts.step}` });
    const items = greedy.groups.map((g) => g[0]);
    const correct = (s: { scored: { score: number | null } }) => (s.scored.score ?? -Infinity) >= cfg.correctThreshold;
    out['eval/greedy/reward/mean'] = rewardMetrics(items.map((c) => c.scored))['reward/mean'];
    out['eval/greedy/accuracy'] = items.filter(correct).length / Math.max(1, items.length);
    if (cfg.groupBy) {
      const classes = new Map<string, typeof items>();
      for (const c of items) {
        const key = String(c.row.metadata[cfg.groupBy] ?? 'none');
        classes.set(key, [...(classes.get(key) ?? []), c]);
      }
      for (const [key, list] of [...classes].sort()) out[`eval/greedy/accuracy/${key}`] = list.filter(correct).length / list.length;
    }
  }
  out['time/eval'] = (performance.now() - t0) / 1000;
  return out;
}
