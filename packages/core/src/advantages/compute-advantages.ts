// Group-relative advantage estimators (GRPO, Dr.GRPO, RLOO): rewards of G completions per prompt -> advantages.

/** Which estimator turns a group's rewards into advantages. */
export type AdvantageEstimator = 'grpo' | 'dr_grpo' | 'rloo';

/** Options of computeAdvantages. */
export interface AdvantageOptions {
  estimator: AdvantageEstimator;
  /** grpo only: divide by the group's std ('group', default), by the whole batch's std ('batch'), or not ('none'). */
  scale?: 'group' | 'batch' | 'none';
  /** grpo only: added to the std before dividing. @default 1e-4 */
  eps?: number;
}

/** The arithmetic mean of a non-empty list. */
export const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Sample standard deviation (n - 1); 0 for fewer than two values. */
export function sampleStd(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
}

/**
 * Advantages per group (one inner array per prompt, G completions each, canonical order kept).
 * `null` rewards (abstained, infra errors) are left out of every statistic and get a `null` advantage.
 * A group with fewer than two scored members gets advantages of 0.
 * - grpo: A_i = (r_i - mean(r)) / (std(r) + eps), std with n - 1 (TRL); `scale: 'batch'` uses the std of
 *   every scored reward of the batch, `'none'` skips the division.
 * - dr_grpo: A_i = r_i - mean(r) (Dr.GRPO, arXiv 2503.20783: no std division).
 * - rloo: A_i = r_i - mean(r_j, j != i) (leave-one-out baseline).
 */
export function computeAdvantages(groups: ReadonlyArray<ReadonlyArray<number | null>>, options: AdvantageOptions): (number | null)[][] {
  const eps = options.eps ?? 1e-4;
  const scale = options.scale ?? 'group';
  const batchStd = sampleStd(groups.flatMap((g) => g.filter((r): r is number => r !== null)));
  return groups.map((group) => {
    const scored = group.filter((r): r is number => r !== null); // r: the group's scored rewards
    if (scored.length < 2) return group.map((r) => (r === null ? null : 0));
    const m = mean(scored);
    const n = scored.length;
    const sum = m * n;
    let denom = 1;
    if (options.estimator === 'grpo' && scale !== 'none') denom = (scale === 'batch' ? batchStd : sampleStd(scored)) + eps;
    return group.map((r) => {
      if (r === null) return null;
      if (options.estimator === 'rloo') return r - (sum - r) / (n - 1);
      return (r - m) / denom;
    });
  });
}
