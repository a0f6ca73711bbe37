// Tests of normalizeThenSum (GDPO / TRL normalize_then_sum): hand-computed per-reward group advantages, weighted sum, batch z-score.
import { ok, strictEqual } from 'node:assert/strict';
import { normalizeThenSum } from '@molrl/core';

const near = (a: number | null, b: number, what: string) => ok(a !== null && Math.abs(a - b) < 1e-9, `${what}: ${a} vs ${b}`);

describe('normalizeThenSum', () => {
  it('each reward z-scored in its group, weighted sum, then a batch z-score (grpo)', () => {
    // one group of 3, two rewards: k0 = [1, 0, 0], k1 = [0, 0, 1], weights [1, 2]
    const cols = [[[1, 0], [0, 0], [0, 1]]];
    const got = normalizeThenSum(cols, [[true, true, true]], [1, 2], { estimator: 'grpo', scale: 'group' });
    // k0: mean 1/3, sample std sqrt(1/3): z = [2/3, -1/3, -1/3] / (sqrt(1/3) + 1e-4); k1 likewise [-1/3, -1/3, 2/3]
    const s = Math.sqrt(1 / 3) + 1e-4;
    const total = [2 / 3 - 2 / 3, -1 / 3 - 2 / 3, -1 / 3 + 4 / 3].map((x) => x / s);
    const m = total.reduce((a, b) => a + b, 0) / 3;
    const sd = Math.sqrt(total.reduce((a, x) => a + (x - m) ** 2, 0) / 2);
    got[0].forEach((a, i) => near(a, (total[i] - m) / (sd + 1e-4), `[0][${i}]`));
  });

  it('an abstained reward counts 0 and stays out of its column; rows out of the step get null', () => {
    // k0 = [1, null, 0, 5], k1 = [1, 1, 0, 0]; row 3 is out (infra error); dr_grpo: centred, no std, no batch z-score
    const cols = [[[1, 1], [null, 1], [0, 0], [5, 0]]];
    const got = normalizeThenSum(cols, [[true, true, true, false]], [1, 1], { estimator: 'dr_grpo' });
    // k0 over rows 0, 2: mean 0.5 -> [0.5, (abstained) 0, -0.5]; k1 over rows 0..2: mean 2/3 -> [1/3, 1/3, -2/3]
    near(got[0][0], 0.5 + 1 / 3, 'row 0');
    near(got[0][1], 1 / 3, 'row 1');
    near(got[0][2], -0.5 - 2 / 3, 'row 2');
    strictEqual(got[0][3], null);
  });
});
