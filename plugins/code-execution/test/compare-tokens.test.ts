// Tests of the io comparison: whole output or token by token, and the first differing line for feedback.
import { deepStrictEqual, strictEqual } from 'node:assert/strict';
import { firstDifference, ioOutputMatches } from '../src/compare-tokens.ts';

const whole = { trimWhitespace: true, numericTolerance: 1e-6, tokens: false };
const tokens = { ...whole, tokens: true };

describe('ioOutputMatches', () => {
  it('compares whole outputs like output mode unless tokens is on', () => {
    strictEqual(ioOutputMatches('1 2\n3\n', '1 2\n3', whole), true);
    strictEqual(ioOutputMatches('1  2\n3\n', '1 2\n3', whole), false);
    strictEqual(ioOutputMatches('1  2\n3\n', '1 2\n3', tokens), true);
    strictEqual(ioOutputMatches('1 2 3', '1\n2\n3\n', tokens), true);
  });
  it('compares each token as a number within the tolerance, and counts tokens', () => {
    strictEqual(ioOutputMatches('0.3000000001 2', '0.3 2', tokens), true);
    strictEqual(ioOutputMatches('0.31 2', '0.3 2', tokens), false);
    strictEqual(ioOutputMatches('1 2', '1 2 3', tokens), false);
    strictEqual(ioOutputMatches('YES', 'yes', tokens), false);
    strictEqual(ioOutputMatches('', '', tokens), true);
  });
});

describe('firstDifference', () => {
  it('names the first differing line, ignoring trailing spaces and final newlines', () => {
    deepStrictEqual(firstDifference('a\nb  \nc\n', 'a\nb\nd'), { line: 3, actual: 'c', expected: 'd' });
    deepStrictEqual(firstDifference('a\n', 'a\nb'), { line: 2, actual: '(no line)', expected: 'b' });
    strictEqual(firstDifference('a\nb\n', 'a\nb'), null);
  });
});
