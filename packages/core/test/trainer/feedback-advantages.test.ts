// Tests of regeneratedAdvantages against hand computations: the original group's mean as baseline, its grpo std as scale.
import { deepStrictEqual, ok } from 'node:assert/strict';
import { regeneratedAdvantages, type RegeneratedInput } from '@molrl/core';

const regen = (group: number, score: number | null, extra: Partial<RegeneratedInput> = {}): RegeneratedInput => ({ group, score, status: score === null ? 'infra_error' : 'ok', finishReason: 'eos', ...extra });
const near = (got: (number | null)[], want: (number | null)[]) =>
  ok(got.length === want.length && got.every((a, i) => (a === null ? want[i] === null : want[i] !== null && Math.abs(a - (want[i] as number)) < 1e-12)), `${got} vs ${want}`);

describe('regeneratedAdvantages', () => {
  // group 0: rewards 1, 0, 0, 0 -> mean 0.25, sample std sqrt(0.75 / 3) = 0.5; group 1: 0, 0, null, 0 -> mean 0, std 0
  const original = [[1, 0, 0, 0], [0, 0, null, 0]];

  it('grpo (group scale): (r - mean) / (std + eps), and r - mean where the group std is 0', () => {
    const got = regeneratedAdvantages(original, [regen(0, 1), regen(0, 0), regen(1, 1), regen(1, 0)], { estimator: 'grpo', scale: 'group', maskTruncated: false });
    near(got, [0.75 / (0.5 + 1e-4), -0.25 / (0.5 + 1e-4), 1, 0]);
  });

  it('dr_grpo and rloo: r - mean of the original group (the regenerated sample is not a member)', () => {
    for (const estimator of ['dr_grpo', 'rloo'] as const) near(regeneratedAdvantages(original, [regen(0, 1), regen(1, 0.5)], { estimator, scale: 'group', maskTruncated: false }), [0.75, 0.5]);
  });

  it('grpo batch scale: the std of every scored original reward of the step', () => {
    // batch: 1, 0, 0, 0, 0, 0, 0 -> mean 1/7, sample variance (6/7)^2 + 6 (1/7)^2 over 6 = (36 + 6) / 49 / 6 = 1/7
    const std = Math.sqrt(1 / 7);
    near(regeneratedAdvantages(original, [regen(0, 1), regen(1, 1)], { estimator: 'grpo', scale: 'batch', maskTruncated: false }), [0.75 / (std + 1e-4), 1 / (std + 1e-4)]);
  });

  it('unscored -> null, all abstained -> 0, cut at maxTokens with maskTruncated -> null, a group with nothing scored -> null', () => {
    const got = regeneratedAdvantages([[1, 0], [null, null]], [regen(0, null), regen(0, null, { status: 'abstain' }), regen(0, 1, { finishReason: 'length' }), regen(1, 1)], { estimator: 'dr_grpo', scale: 'group', maskTruncated: true });
    deepStrictEqual(got, [null, 0, null, null]);
  });
});
