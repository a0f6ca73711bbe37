// GDPO-style multi-reward advantages (TRL multi_objective_aggregation="normalize_then_sum", arXiv 2601.05242).
import { computeAdvantages, type AdvantageOptions } from './compute-advantages.ts';

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/**
 * Advantages from per-reward columns: `groups[p][i][k]` is reward k of completion i of prompt p (`null`: that
 * reward abstained), `rows[p][i]` whether the row takes part at all (false: every reward abstained or an infra
 * error; such rows are out of every statistic and get `null` here).
 * Each column k gets its own group advantages A_k (the estimator, `scale: 'group'` or `'none'`; an abstained entry
 * counts 0), the total is sum_k w_k A_k, and with `grpo` and a scale other than `'none'` the total is then
 * normalised over the batch: (A - mean) / (sample std + eps), as TRL does.
 */
export function normalizeThenSum(
  groups: ReadonlyArray<ReadonlyArray<ReadonlyArray<number | null>>>,
  rows: ReadonlyArray<ReadonlyArray<boolean>>,
  weights: readonly number[],
  options: AdvantageOptions,
): (number | null)[][] {
  const eps = options.eps ?? 1e-4;
  const scale = options.scale ?? 'group';
  const perColumn = weights.map((_, k) =>
    computeAdvantages(
      groups.map((g, p) => g.map((cols, i) => (rows[p][i] ? cols[k] : null))),
      { ...options, scale: scale === 'none' ? 'none' : 'group' },
    ),
  );
  const total = groups.map((g, p) => g.map((_, i) => (rows[p][i] ? weights.reduce((s, w, k) => s + w * (perColumn[k][p][i] ?? 0), 0) : null)));
  if (options.estimator !== 'grpo' || scale === 'none') return total;
  const all = total.flat().filter((a): a is number => a !== null);
  if (all.length < 2) return total.map((g) => g.map((a) => (a === null ? null : 0)));
  const m = mean(all);
  const std = Math.sqrt(all.reduce((s, a) => s + (a - m) ** 2, 0) / (all.length - 1));
  return total.map((g) => g.map((a) => (a === null ? null : (a - m) / (std + eps))));
}
