// Tests of normalizeScore: every allowed shape, and refusal of everything else with a coded error.
import { deepStrictEqual, throws } from 'node:assert/strict';
import { normalizeScore } from '@molrl/core';

describe('normalizeScore', () => {
  it('turns numbers, booleans and null into results', () => {
    deepStrictEqual(normalizeScore(0.4, 'p'), { score: 0.4, status: 'ok', components: {} });
    deepStrictEqual(normalizeScore(true, 'p'), { score: 1, status: 'ok', components: {} });
    deepStrictEqual(normalizeScore(false, 'p'), { score: 0, status: 'ok', components: {} });
    deepStrictEqual(normalizeScore(null, 'p'), { score: null, status: 'abstain', components: {} });
  });

  it('keeps reason, components and feedback of the object form', () => {
    deepStrictEqual(normalizeScore({ score: 0.1, reason: 'parses', components: { parses: 1 }, feedback: 'Observation: x' }, 'p'), {
      score: 0.1,
      status: 'ok',
      components: { parses: 1 },
      reason: 'parses',
      feedback: 'Observation: x',
    });
    deepStrictEqual(normalizeScore({ score: null, reason: 'n/a' }, 'p'), { score: null, status: 'abstain', components: {}, reason: 'n/a' });
  });

  for (const bad of [undefined, NaN, Infinity, '1', [1], {}, { score: '1' }, { score: 1, extra: 2 }, { score: 1, components: { a: 'x' } }, { score: 1, reason: 3 }, () => 1]) {
    it(`refuses ${String(typeof bad === 'object' ? JSON.stringify(bad) : bad)} with REWARD_SCORE_INVALID naming the plugin`, () => {
      throws(() => normalizeScore(bad, 'reward:x'), { code: 'REWARD_SCORE_INVALID', plugin: 'reward:x' });
    });
  }
});
