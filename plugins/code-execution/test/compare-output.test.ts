// Tests of outputMatches: whitespace trimming and numeric tolerance.
import { strictEqual } from 'node:assert/strict';
import { outputMatches } from '../src/compare-output.ts';

const on = { trimWhitespace: true, numericTolerance: 1e-6 };

describe('outputMatches', () => {
  it('ignores trailing spaces and surrounding blank lines when trimming', () => {
    strictEqual(outputMatches('a  \nb\n\n', 'a\nb', on), true);
    strictEqual(outputMatches('a  \nb\n', 'a\nb', { ...on, trimWhitespace: false }), false);
  });
  it('compares single numbers within the tolerance', () => {
    strictEqual(outputMatches('0.3000000001\n', '0.3', on), true);
    strictEqual(outputMatches('0.31', '0.3', on), false);
    strictEqual(outputMatches('1e3', '1000', on), true);
  });
  it('uses a relative tolerance for large numbers', () => {
    strictEqual(outputMatches('1000000000.5', '1000000000', on), true);
  });
  it('does not treat text as numbers', () => {
    strictEqual(outputMatches('4 apples', '4', on), false);
  });
});
