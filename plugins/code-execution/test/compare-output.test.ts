// Tests of outputMatches: whitespace trimming, numeric tolerance for decimals, exact integers at any size.
import { strictEqual } from 'node:assert/strict';
import { outputMatches } from '../src/compare-output.ts';

const on = { trimWhitespace: true, numericTolerance: 1e-6 };
const factorial = (n: number) => Array.from({ length: n }, (_, i) => BigInt(i + 1)).reduce((a, b) => a * b, 1n);

describe('outputMatches', () => {
  it('ignores trailing spaces and surrounding blank lines when trimming', () => {
    strictEqual(outputMatches('a  \nb\n\n', 'a\nb', on), true);
    strictEqual(outputMatches('a  \nb\n', 'a\nb', { ...on, trimWhitespace: false }), false);
  });
  it('compares single decimal numbers within the tolerance', () => {
    strictEqual(outputMatches('0.3000000001\n', '0.3', on), true);
    strictEqual(outputMatches('0.31', '0.3', on), false);
    strictEqual(outputMatches('1e3', '1000', on), true);
    strictEqual(outputMatches('2.0000000001', '2.0', on), true);
  });
  it('uses a relative tolerance for large decimal numbers', () => {
    strictEqual(outputMatches('1000000000.5', '1000000000.0', on), true);
    strictEqual(outputMatches('1000000000.5', '1e9', on), true);
  });
  it('compares integers exactly, at any size (no float rounding or overflow)', () => {
    strictEqual(outputMatches('1000000000.5', '1000000000', on), false);
    strictEqual(outputMatches('0', String(factorial(300)), on), false);
    strictEqual(outputMatches(String(factorial(300)), String(factorial(300)), on), true);
    strictEqual(outputMatches('12345670000000000000', '12345678901234567890', on), false);
    strictEqual(outputMatches('12345678901234567891', '12345678901234567890', on), false);
  });
  it('does not accept any number for 1e400', () => {
    strictEqual(outputMatches('0', '1e400', on), false);
    strictEqual(outputMatches('5', '1e400', on), false);
    strictEqual(outputMatches(`1${'0'.repeat(400)}`, '1e400', on), true);
    strictEqual(outputMatches('1e400', `1${'0'.repeat(400)}`, on), true);
  });
  it('applies no tolerance when it is 0', () => {
    strictEqual(outputMatches('0.3000000001', '0.3', { ...on, numericTolerance: 0 }), false);
  });
  it('does not treat text as numbers', () => {
    strictEqual(outputMatches('4 apples', '4', on), false);
    strictEqual(outputMatches('Infinity', 'Infinity', on), true);
    strictEqual(outputMatches('inf', 'Infinity', on), false);
  });
});
