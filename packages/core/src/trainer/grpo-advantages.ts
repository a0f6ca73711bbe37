// One GRPO step's advantages from its scored groups: overlong shaping, reward aggregation, abstained rows, truncation mask, dropped groups.
import { computeAdvantages, type AdvantageEstimator } from '../advantages/compute-advantages.ts';
import { normalizeThenSum } from '../advantages/normalize-then-sum.ts';
import { overlongPenalty, type OverlongShaping } from '../advantages/overlong-penalty.ts';
import type { RewardResult, RewardStatus } from '../types.ts';

/** How several reward plugins make one advantage (TRL `multi_objective_aggregation`). */
export type RewardAggregation = 'sum_then_normalize' | 'normalize_then_sum';

/** What the advantages need of one completion. */
export interface AdvantageInput {
  /** The weighted sum of the plugins' rewards; null when every plugin abstained or any had an infra error. */
  score: number | null;
  status: RewardStatus;
  /** Per plugin name. */
  rewards: Readonly<Record<string, Pick<RewardResult, 'score' | 'status'>>>;
  tokenCount: number;
  finishReason: string;
}

/** Options of grpoAdvantages (the GRPO phase's fields of the same names). */
export interface GrpoAdvantageOptions {
  estimator: AdvantageEstimator;
  scale: 'group' | 'batch' | 'none';
  rewardAggregation: RewardAggregation;
  /** The plugins in config order with their weights (normalize_then_sum's columns). */
  plugins: ReadonlyArray<{ name: string; weight: number }>;
  overlong?: OverlongShaping | undefined;
  /** L_max of the overlong penalty: the sampling's maxTokens. */
  maxTokens: number;
  maskTruncated: boolean;
  dropZeroVarianceGroups: boolean;
  /** Groups to train on (others get null advantages and stay out of every statistic); default all. */
  keep?: readonly boolean[];
}

/** Advantages per group and what to log about them. */
export interface GrpoAdvantages {
  advantages: (number | null)[][];
  /** Groups whose scored rewards (before shaping) all agree, among all groups (kept or not). */
  zeroVariance: number;
  /** Mean overlong penalty over the kept scored completions (null without `overlong`). */
  overlongPenaltyMean: number | null;
  /** Completions cut at maxTokens that `maskTruncated` took out of the loss. */
  maskedTruncated: number;
}

/** Whether a group's rewards can teach anything: two or more scored, not all equal (DAPO's dynamic-sampling filter). */
export function isInformative(group: ReadonlyArray<number | null>): boolean {
  const scored = group.filter((r): r is number => r !== null);
  return scored.length >= 2 && scored.some((r) => r !== scored[0]);
}

const zeroStd = (group: ReadonlyArray<number | null>) => {
  const scored = group.filter((r): r is number => r !== null);
  return scored.length >= 2 && scored.every((r) => r === scored[0]);
};

/**
 * The advantages of one step, canonical order kept:
 * 1. `overlong`: rewards of scored completions get DAPO's length penalty (a reward column of weight 1).
 * 2. `sum_then_normalize`: the estimator on the weighted sums (TRL's default); `normalize_then_sum`: see
 *    normalizeThenSum. Rows where every plugin abstained are out of the group statistics and get advantage 0
 *    (TRL), rows with an infra error get null (not trained on).
 * 3. `dropZeroVarianceGroups`: groups whose rewards all agree get null advantages.
 * 4. `maskTruncated`: completions cut at maxTokens get null (TRL mask_truncated_completions).
 */
export function grpoAdvantages(groups: ReadonlyArray<ReadonlyArray<AdvantageInput>>, opts: GrpoAdvantageOptions): GrpoAdvantages {
  const keptIdx = groups.map((_, p) => p).filter((p) => opts.keep?.[p] ?? true);
  const kept = keptIdx.map((p) => groups[p]);
  const raw = kept.map((g) => g.map((c) => c.score)); // r: rewards per group
  const penalty = kept.map((g) => g.map((c) => (opts.overlong && c.score !== null ? overlongPenalty(c.tokenCount, opts.maxTokens, opts.overlong) : 0)));
  let adv: (number | null)[][];
  if (opts.rewardAggregation === 'normalize_then_sum') {
    const columns = kept.map((g, p) =>
      g.map((c, i) => [...opts.plugins.map((pl) => (c.rewards[pl.name]?.status === 'ok' ? (c.rewards[pl.name].score ?? null) : null)), ...(opts.overlong ? [penalty[p][i]] : [])]),
    );
    const weights = [...opts.plugins.map((pl) => pl.weight), ...(opts.overlong ? [1] : [])];
    adv = normalizeThenSum(columns, raw.map((g) => g.map((r) => r !== null)), weights, { estimator: opts.estimator, scale: opts.scale });
  } else {
    const shaped = opts.overlong ? raw.map((g, p) => g.map((r, i) => (r === null ? null : r + penalty[p][i]))) : raw;
    adv = computeAdvantages(shaped, { estimator: opts.estimator, scale: opts.scale });
  }
  const zeroVariance = groups.filter((g) => zeroStd(g.map((c) => c.score))).length;
  let maskedTruncated = 0;
  kept.forEach((g, p) => {
    g.forEach((c, i) => {
      if (c.status === 'abstain') adv[p][i] = 0;
    });
    if (opts.dropZeroVarianceGroups && zeroStd(raw[p])) adv[p] = adv[p].map(() => null);
    if (opts.maskTruncated) {
      g.forEach((c, i) => {
        if (c.finishReason === 'length' && adv[p][i] !== null) {
          adv[p][i] = null;
          maskedTruncated++;
        }
      });
    }
  });
  const scoredPenalties = opts.overlong ? kept.flatMap((g, p) => g.flatMap((c, i) => (c.score === null ? [] : [penalty[p][i]]))) : [];
  const advantages: (number | null)[][] = groups.map((g) => g.map(() => null));
  keptIdx.forEach((p, k) => (advantages[p] = adv[k]));
  return {
    advantages,
    zeroVariance,
    overlongPenaltyMean: opts.overlong ? (scoredPenalties.length ? scoredPenalties.reduce((a, b) => a + b, 0) / scoredPenalties.length : 0) : null,
    maskedTruncated,
  };
}
