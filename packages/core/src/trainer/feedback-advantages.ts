// Advantages of feedback-regenerated completions ('extended' mode): each against its original group's statistics.
import { mean, sampleStd, type AdvantageEstimator } from '../advantages/compute-advantages.ts';
import type { RewardStatus } from '../types.ts';

/** What the advantage needs of one regenerated completion. */
export interface RegeneratedInput {
  /** Index of its original group. */
  group: number;
  /** Its (shaped) reward; null: infra error or every plugin abstained. */
  score: number | null;
  status: RewardStatus;
  finishReason: string;
}

/** Options of regeneratedAdvantages (the GRPO phase's fields of the same names). */
export interface RegeneratedAdvantageOptions {
  estimator: AdvantageEstimator;
  scale: 'group' | 'batch' | 'none';
  maskTruncated: boolean;
  /** grpo: added to a non-zero std. @default 1e-4 (computeAdvantages') */
  eps?: number;
}

/**
 * A' = (r' - mean(r_p)) / d_p for a completion regenerated from group p, r_p the group's G original (shaped) scored
 * rewards: the regenerated sample is not a member of its group (its statistics, and so the originals' advantages, stay
 * as without regeneration); its baseline is the group's mean reward (rloo too: leaving itself out of a group it is not
 * in). d_p: with grpo, std(r_p) + eps ('group', n - 1) or the batch's std + eps ('batch'), 1 where that std is 0 (a
 * group that failed alike: a fix gets r' - mean, not a 1/eps blow-up); 1 with dr_grpo, rloo or scale 'none'.
 * null: an unscored completion, or a group with no scored original; 0: every plugin abstained; maskTruncated: null
 * when cut at maxTokens.
 */
export function regeneratedAdvantages(original: ReadonlyArray<ReadonlyArray<number | null>>, regenerated: readonly RegeneratedInput[], opts: RegeneratedAdvantageOptions): (number | null)[] {
  const eps = opts.eps ?? 1e-4;
  const scoredOf = (g: ReadonlyArray<number | null>) => g.filter((r): r is number => r !== null);
  const batchStd = sampleStd(original.flatMap(scoredOf));
  const divide = (std: number) => (opts.estimator === 'grpo' && opts.scale !== 'none' && std > 0 ? std + eps : 1);
  return regenerated.map((x) => {
    const scored = scoredOf(original[x.group] ?? []); // r_p
    if (x.status === 'abstain') return 0;
    if (x.score === null || scored.length === 0) return null;
    if (opts.maskTruncated && x.finishReason === 'length') return null;
    return (x.score - mean(scored)) / divide(opts.scale === 'batch' ? batchStd : sampleStd(scored));
  });
}
