// Tests of computeAdvantages: hand-computed tables and group-sum properties (fast-check).
import { deepStrictEqual, ok, strictEqual } from 'node:assert/strict';
import fc from 'fast-check';
import { computeAdvantages } from '@molrl/core';

const close = (actual: (number | null)[][], expected: (number | null)[][]) => {
  strictEqual(actual.length, expected.length);
  actual.forEach((g, i) =>
    g.forEach((a, j) => {
      const e = expected[i][j];
      if (e === null || a === null) strictEqual(a, e, `[${i}][${j}]`);
      else ok(Math.abs(a - e) < 1e-9, `[${i}][${j}]: ${a} vs ${e}`);
    }),
  );
};

describe('computeAdvantages', () => {
  it('grpo: (r - mean) / (sample std + eps)', () => {
    // [1, 0, 1, 0]: mean 0.5, sample std sqrt(1/3) = 0.5773502691896258
    const s = Math.sqrt(1 / 3) + 1e-4;
    close(computeAdvantages([[1, 0, 1, 0]], { estimator: 'grpo' }), [[0.5 / s, -0.5 / s, 0.5 / s, -0.5 / s]]);
  });
  it('grpo: custom eps, scale none and batch', () => {
    close(computeAdvantages([[1, 0.4]], { estimator: 'grpo', eps: 0 }), [[0.3 / Math.sqrt(0.18), -0.3 / Math.sqrt(0.18)]]);
    close(computeAdvantages([[1, 0.4]], { estimator: 'grpo', scale: 'none' }), [[0.3, -0.3]]);
    // batch rewards [1, 0, 0.5, 0.5]: mean 0.5, sample std sqrt(0.5/3)
    const b = Math.sqrt(0.5 / 3) + 1e-4;
    close(computeAdvantages([[1, 0], [0.5, 0.5]], { estimator: 'grpo', scale: 'batch' }), [[0.5 / b, -0.5 / b], [0, 0]]);
  });
  it('dr_grpo: r - mean', () => {
    close(computeAdvantages([[1, 0.1, 0.4, 0.1]], { estimator: 'dr_grpo' }), [[0.6, -0.3, 0, -0.3]]);
  });
  it('rloo: r - mean of the others', () => {
    close(computeAdvantages([[1, 0, 0.5]], { estimator: 'rloo' }), [[0.75, -0.75, 0]]);
  });
  it('null rewards are left out and get null advantages', () => {
    close(computeAdvantages([[1, null, 0]], { estimator: 'dr_grpo' }), [[0.5, null, -0.5]]);
    close(computeAdvantages([[null, 1, null]], { estimator: 'grpo' }), [[null, 0, null]]);
    deepStrictEqual(computeAdvantages([[null, null]], { estimator: 'rloo' }), [[null, null]]);
  });
  it('a constant group gets zeros', () => {
    close(computeAdvantages([[0.4, 0.4, 0.4]], { estimator: 'grpo' }), [[0, 0, 0]]);
  });

  const groups = fc.array(fc.array(fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: null }), { minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 6 });
  for (const estimator of ['grpo', 'dr_grpo', 'rloo'] as const) {
    it(`${estimator}: every group's advantages sum to 0, nulls stay null`, () => {
      fc.assert(
        fc.property(groups, (gs) => {
          const adv = computeAdvantages(gs, { estimator });
          gs.forEach((g, i) => {
            g.forEach((r, j) => strictEqual(adv[i][j] === null, r === null));
            const sum = adv[i].reduce<number>((a, x) => a + (x ?? 0), 0);
            ok(Math.abs(sum) < 1e-6, `group ${i} sums to ${sum}`);
          });
        }),
      );
    });
  }
});
