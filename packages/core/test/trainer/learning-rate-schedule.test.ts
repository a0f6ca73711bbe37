// The one learning-rate schedule of every phase: warm-up, constant / linear / cosine, and no rate at all.
import { deepStrictEqual, ok, strictEqual } from 'node:assert/strict';
import { learningRateAt } from '@molrl/core';

describe('learningRateAt', () => {
  const s = { learningRate: 1e-3, schedule: 'cosine' as const, warmupSteps: 0 };
  it('cosine: peak at step 1, half at the middle, above 0 at the end', () => {
    strictEqual(learningRateAt(s, 1, 100), 1e-3);
    ok(Math.abs(learningRateAt(s, 51, 100)! - 5e-4) < 1e-12);
    const last = learningRateAt(s, 100, 100)!;
    ok(last > 0 && last < 1e-6, String(last));
  });
  it('linear: peak at step 1, half at the middle, one step above 0 at the end', () => {
    const l = { ...s, schedule: 'linear' as const };
    strictEqual(learningRateAt(l, 1, 100), 1e-3);
    ok(Math.abs(learningRateAt(l, 51, 100)! - 5e-4) < 1e-12);
    ok(Math.abs(learningRateAt(l, 100, 100)! - 1e-5) < 1e-12);
  });
  it('linear warm-up, then constant', () => {
    const c = { ...s, schedule: 'constant' as const, warmupSteps: 4 };
    deepStrictEqual([1, 2, 4, 5, 90].map((k) => learningRateAt(c, k, 100)), [2.5e-4, 5e-4, 1e-3, 1e-3, 1e-3]);
  });
  it('warm-up then cosine starts the decay after the warm-up', () => {
    const w = { ...s, warmupSteps: 10 };
    strictEqual(learningRateAt(w, 10, 110), 1e-3);
    strictEqual(learningRateAt(w, 11, 110), 1e-3);
    ok(learningRateAt(w, 12, 110)! < 1e-3);
  });
  it('no rate: undefined at every step (the server uses its own)', () => {
    strictEqual(learningRateAt({ schedule: 'constant', warmupSteps: 0 }, 3, 10), undefined);
  });
});
