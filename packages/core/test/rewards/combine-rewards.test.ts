// Tests of combineRewards: TRL-style weighted sum, abstentions excluded, infra errors never scored.
import { deepStrictEqual } from 'node:assert/strict';
import { combineRewards, type RewardResult } from '@molrl/core';

const r = (score: number | null, status: RewardResult['status'] = score === null ? 'abstain' : 'ok'): RewardResult => ({ score, status, components: {}, durationMs: 0 });

describe('combineRewards', () => {
  it('sums weight x score without renormalising the weights', () => {
    deepStrictEqual(combineRewards([{ weight: 1, result: r(0.4) }, { weight: 0.5, result: r(1) }]), { score: 0.9, status: 'ok' });
  });

  it('leaves abstaining rewards out of the sum', () => {
    deepStrictEqual(combineRewards([{ weight: 2, result: r(null) }, { weight: 0.5, result: r(1) }]), { score: 0.5, status: 'ok' });
  });

  it('abstains when every reward abstains', () => {
    deepStrictEqual(combineRewards([{ weight: 1, result: r(null) }]), { score: null, status: 'abstain' });
  });

  it('makes the whole sample infra_error with score null when any reward is infra_error', () => {
    deepStrictEqual(combineRewards([{ weight: 1, result: r(1) }, { weight: 1, result: r(null, 'infra_error') }]), { score: null, status: 'infra_error' });
  });
});
