// Tests of the answer extraction: the last \boxed{} with nested braces, patterns, cut-off completions.
import { strictEqual } from 'node:assert/strict';
import { extractAnswer, lastBoxed } from '../src/extract-answer.ts';

describe('lastBoxed', () => {
  it('returns the content of the last boxed answer', () => {
    strictEqual(lastBoxed('first \\boxed{1} then \\boxed{2}'), '2');
  });
  it('keeps nested braces', () => {
    strictEqual(lastBoxed('so \\boxed{\\frac{\\sqrt{2}}{2}}.'), '\\frac{\\sqrt{2}}{2}');
  });
  it('reads \\boxed without braces and \\fbox', () => {
    strictEqual(lastBoxed('\\boxed 7$'), '7');
    strictEqual(lastBoxed('\\fbox{x+1}'), 'x+1');
  });
  it('returns null when there is no box or it is never closed', () => {
    strictEqual(lastBoxed('the answer is 4'), null);
    strictEqual(lastBoxed('\\boxed{\\frac{1}{2'), null);
  });
});

describe('extractAnswer', () => {
  it('uses the last match of a pattern, first group', () => {
    strictEqual(extractAnswer('Answer: 3\nno, Answer: 5\n', 'Answer:\\s*(\\S+)'), '5');
  });
  it('falls back to the boxed answer without a pattern', () => {
    strictEqual(extractAnswer('\\boxed{12}', null), '12');
  });
});
