// Tests of overlongPenalty: DAPO's soft overlong punishment at hand-computed lengths.
import { strictEqual } from 'node:assert/strict';
import { overlongPenalty } from '@molrl/core';

describe('overlongPenalty', () => {
  it('0 up to maxTokens - buffer, then a linear ramp to -penalty at maxTokens', () => {
    const shaping = { buffer: 8, penalty: 0.5 };
    // L_max 40, L_cache 8: free up to 32 tokens
    strictEqual(overlongPenalty(10, 40, shaping), 0);
    strictEqual(overlongPenalty(32, 40, shaping), 0);
    strictEqual(overlongPenalty(34, 40, shaping), (-2 / 8) * 0.5);
    strictEqual(overlongPenalty(40, 40, shaping), -0.5);
    strictEqual(overlongPenalty(50, 40, shaping), -0.5); // beyond L_max: the full penalty, no more
  });
});
