// Tests of scoreInOrder: input order kept, concurrency bounded.
import { deepStrictEqual, ok } from 'node:assert/strict';
import { scoreInOrder } from '../../src/rewards/score-in-order.ts';

describe('scoreInOrder', () => {
  it('yields results in input order even when later items finish first', async () => {
    const out: number[] = [];
    for await (const v of scoreInOrder([30, 1, 20, 2, 10, 0], (ms) => new Promise<number>((r) => setTimeout(() => r(ms), ms)), 3)) out.push(v);
    deepStrictEqual(out, [30, 1, 20, 2, 10, 0]);
  });

  it('never runs more than `concurrency` calls at once', async () => {
    let running = 0;
    let peak = 0;
    const fn = async (i: number) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, i % 3));
      running--;
      return i;
    };
    const out: number[] = [];
    for await (const v of scoreInOrder(Array.from({ length: 50 }, (_, i) => i), fn, 4)) out.push(v);
    deepStrictEqual(out, Array.from({ length: 50 }, (_, i) => i));
    ok(peak <= 4 && peak > 1, `peak ${peak}`);
  });
});
