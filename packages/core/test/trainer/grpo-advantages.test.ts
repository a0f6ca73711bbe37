// Tests of grpoAdvantages: the default is computeAdvantages unchanged; overlong shaping, abstained rows, maskTruncated,
// kept groups and normalize_then_sum against hand values.
import { deepStrictEqual, ok, strictEqual } from 'node:assert/strict';
import { computeAdvantages, grpoAdvantages, isInformative, type AdvantageInput, type GrpoAdvantageOptions } from '@molrl/core';

const row = (score: number | null, extra: Partial<AdvantageInput> = {}): AdvantageInput => ({
  score,
  status: score === null ? 'infra_error' : 'ok',
  rewards: { 'reward:a': { score, status: score === null ? 'infra_error' : 'ok' } },
  tokenCount: 10,
  finishReason: 'eos',
  ...extra,
});
const base: GrpoAdvantageOptions = { estimator: 'grpo', scale: 'group', rewardAggregation: 'sum_then_normalize', plugins: [{ name: 'reward:a', weight: 1 }], maxTokens: 40, maskTruncated: false, dropZeroVarianceGroups: false };
const near = (a: number | null, b: number, what: string) => ok(a !== null && Math.abs(a - b) < 1e-12, `${what}: ${a} vs ${b}`);

describe('grpoAdvantages', () => {
  it('with every option off it returns computeAdvantages of the scores, bit for bit', () => {
    const scores = [[1, 0.4, null, 0.1], [0.1, 0.1, 0.1, 0.1], [1, 0, 0, 1]];
    const got = grpoAdvantages(scores.map((g) => g.map((s) => row(s))), base);
    deepStrictEqual(got.advantages, computeAdvantages(scores, { estimator: 'grpo', scale: 'group' }));
    strictEqual(got.zeroVariance, 1);
    strictEqual(got.overlongPenaltyMean, null);
    strictEqual(got.maskedTruncated, 0);
  });

  it('overlong: the length penalty joins the reward before the estimator', () => {
    const g = [row(1, { tokenCount: 40 }), row(1, { tokenCount: 36 }), row(1, { tokenCount: 20 })];
    const got = grpoAdvantages([g], { ...base, estimator: 'dr_grpo', overlong: { buffer: 8, penalty: 1 } });
    // penalties -1, -0.5, 0 -> rewards 0, 0.5, 1, mean 0.5
    deepStrictEqual(got.advantages, [[-0.5, 0, 0.5]]);
    strictEqual(got.overlongPenaltyMean, -0.5);
    strictEqual(got.zeroVariance, 1); // the raw rewards all agree
  });

  it('a row where every plugin abstained is out of the group statistics and gets advantage 0; infra errors null', () => {
    const abstained = row(null, { status: 'abstain', rewards: { 'reward:a': { score: null, status: 'abstain' } } });
    const got = grpoAdvantages([[row(1), abstained, row(0), row(null)]], { ...base, estimator: 'dr_grpo' });
    deepStrictEqual(got.advantages, [[0.5, 0, -0.5, null]]);
  });

  it('maskTruncated: completions cut at maxTokens get null, after the group statistics', () => {
    const got = grpoAdvantages([[row(1, { finishReason: 'length' }), row(0), row(0.5)]], { ...base, estimator: 'dr_grpo', maskTruncated: true });
    deepStrictEqual(got.advantages, [[null, -0.5, 0]]);
    strictEqual(got.maskedTruncated, 1);
  });

  it('keep: dropped groups get null and stay out of the batch statistics', () => {
    const groups = [[row(1), row(0)], [row(5), row(5)], [row(0.5), row(0)]];
    const got = grpoAdvantages(groups, { ...base, scale: 'batch', keep: [true, false, true] });
    deepStrictEqual(got.advantages[1], [null, null]);
    const want = computeAdvantages([[1, 0], [0.5, 0]], { estimator: 'grpo', scale: 'batch' });
    deepStrictEqual([got.advantages[0], got.advantages[2]], want);
  });

  it('normalize_then_sum: per-plugin group advantages, weighted, batch z-score', () => {
    const two = (a: number, b: number): AdvantageInput => ({ score: a + 2 * b, status: 'ok', rewards: { 'reward:a': { score: a, status: 'ok' }, 'reward:b': { score: b, status: 'ok' } }, tokenCount: 5, finishReason: 'eos' });
    const plugins = [{ name: 'reward:a', weight: 1 }, { name: 'reward:b', weight: 2 }];
    const got = grpoAdvantages([[two(1, 0), two(0, 1)]], { ...base, estimator: 'dr_grpo', rewardAggregation: 'normalize_then_sum', plugins });
    // a: [0.5, -0.5], b: [-0.5, 0.5] x 2 -> [-0.5, 0.5] (dr_grpo: no batch z-score)
    near(got.advantages[0][0], -0.5, 'row 0');
    near(got.advantages[0][1], 0.5, 'row 1');
  });

  it('isInformative: two scored rewards that differ', () => {
    deepStrictEqual([[1, 0], [1, 1], [1, null], [null, null], [0.4, 0.4, 0.1]].map(isInformative), [true, false, false, false, true]);
  });
});
