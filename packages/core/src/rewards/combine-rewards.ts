// combineRewards: a sample's total from its per-plugin results (TRL semantics: sum of weight x reward).
import type { RewardResult, RewardStatus } from '../types.ts';

/**
 * Weighted sum over the rewards that did not abstain, weights NOT renormalised (as TRL's
 * `reward_weights`). Any plugin_error -> the whole sample is plugin_error, else any infra_error -> the
 * sample is infra_error, both with score null (never 0); all abstained -> abstain with score null.
 */
export function combineRewards(
  results: ReadonlyArray<{ weight: number; result: RewardResult }>,
): { score: number | null; status: RewardStatus } {
  if (results.some((r) => r.result.status === 'plugin_error')) return { score: null, status: 'plugin_error' };
  if (results.some((r) => r.result.status === 'infra_error')) return { score: null, status: 'infra_error' };
  const scored = results.filter((r) => r.result.status === 'ok' && r.result.score !== null);
  if (scored.length === 0) return { score: null, status: 'abstain' };
  let total = 0;
  for (const r of scored) total += r.weight * (r.result.score as number);
  return { score: total, status: 'ok' };
}
