// Aggregates scored completions into metric fields: reward/mean, reward/<plugin>, reward/<plugin>/<component>, reward/status/<status>.
import type { ScoredSample } from '../types.ts';
import type { MetricsRecord } from './phase-context.ts';

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);

/** Reward metrics over `samples`, every key prefixed by `prefix` (e.g. 'eval/'). Null scores are excluded from means. */
export function rewardMetrics(samples: readonly ScoredSample[], prefix = ''): MetricsRecord {
  const out: MetricsRecord = {};
  const scores = samples.map((s) => s.score).filter((s): s is number => s !== null);
  out[`${prefix}reward/mean`] = mean(scores);
  const m = mean(scores);
  out[`${prefix}reward/std`] = m === null ? null : Math.sqrt(scores.reduce((a, s) => a + (s - m) ** 2, 0) / scores.length);
  for (const status of ['ok', 'abstain', 'infra_error', 'plugin_error'] as const) out[`${prefix}reward/status/${status}`] = samples.filter((s) => s.status === status).length;
  const perPlugin = new Map<string, number[]>();
  const perComponent = new Map<string, number[]>();
  for (const s of samples) {
    for (const [plugin, r] of Object.entries(s.rewards)) {
      if (r.score === null) continue;
      perPlugin.set(plugin, [...(perPlugin.get(plugin) ?? []), r.score]);
      for (const [name, v] of Object.entries(r.components)) {
        const key = `${plugin}/${name}`;
        perComponent.set(key, [...(perComponent.get(key) ?? []), v]);
      }
    }
  }
  for (const [plugin, xs] of perPlugin) out[`${prefix}reward/${plugin}`] = mean(xs);
  for (const [key, xs] of perComponent) out[`${prefix}reward/${key}`] = mean(xs);
  return out;
}

/** Short descriptions of infra errors among `samples` (plugin: code message), deduplicated. */
export function infraErrorReasons(samples: readonly ScoredSample[]): string[] {
  const reasons = new Set<string>();
  for (const s of samples) {
    for (const [plugin, r] of Object.entries(s.rewards)) if (r.status === 'infra_error') reasons.add(`${plugin}: ${r.error?.code ?? ''} ${r.error?.message ?? r.reason ?? ''}`.trim());
  }
  return [...reasons];
}
