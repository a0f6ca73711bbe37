// Tests of numeric reading: separators, fractions, percentages, units, non-numbers, and exact comparison at any size.
import { deepStrictEqual, strictEqual } from 'node:assert/strict';
import { exactEqual, parseExactNumber, type ExactNumber } from '@molrl/core';
import { numbersMatch, parseNumber } from '../src/parse-number.ts';

/** The values as reduced `num/den` strings (exact, so 300! and 1e400 are shown in full). */
function values(list: ExactNumber[]): string[] {
  const gcd = (a: bigint, b: bigint): bigint => (b === 0n ? (a < 0n ? -a : a) : gcd(b, a % b));
  return list.map((v) => {
    const g = gcd(v.num, v.den) || 1n;
    return v.den / g === 1n ? String(v.num / g) : `${v.num / g}/${v.den / g}`;
  });
}
const factorial = (n: number) => Array.from({ length: n }, (_, i) => BigInt(i + 1)).reduce((a, b) => a * b, 1n);

describe('parseNumber', () => {
  it('reads integers, decimals, signs and thousands separators', () => {
    deepStrictEqual(values(parseNumber('42')), ['42']);
    deepStrictEqual(values(parseNumber('-0.5')), ['-1/2']);
    deepStrictEqual(values(parseNumber('1,234,567')), ['1234567']);
  });
  it('reads fractions in LaTeX and slash form', () => {
    deepStrictEqual(values(parseNumber('\\frac{3}{4}')), ['3/4']);
    deepStrictEqual(values(parseNumber('\\dfrac{1}{8}')), ['1/8']);
    deepStrictEqual(values(parseNumber('-\\frac{1}{2}')), ['-1/2']);
    deepStrictEqual(values(parseNumber('3/4')), ['3/4']);
  });
  it('gives a percentage both as written and divided by 100', () => {
    deepStrictEqual(values(parseNumber('50\\%')), ['50', '1/2']);
  });
  it('ignores dollars, units and degree signs', () => {
    deepStrictEqual(values(parseNumber('$12$')), ['12']);
    deepStrictEqual(values(parseNumber('12\\text{ cm}')), ['12']);
    deepStrictEqual(values(parseNumber('90^\\circ')), ['90']);
  });
  it('returns no value for expressions', () => {
    deepStrictEqual(parseNumber('x+1'), []);
    deepStrictEqual(parseNumber('\\sqrt{2}'), []);
    deepStrictEqual(parseNumber('1/0'), []);
  });
  it('reads numbers beyond doubles exactly (no rounding, no Infinity)', () => {
    deepStrictEqual(values(parseNumber(String(factorial(300)))), [String(factorial(300))]);
    deepStrictEqual(values(parseNumber('1e400')), [`1${'0'.repeat(400)}`]);
    deepStrictEqual(values(parseNumber('12345678901234567890')), ['12345678901234567890']);
  });
});

describe('numbersMatch', () => {
  const n = (text: string) => parseNumber(text);
  it('matches a decimal truth within the tolerance, relative for large values', () => {
    strictEqual(numbersMatch(n('0.3333333'), n('\\frac{1}{3}'), 1e-6), true);
    strictEqual(numbersMatch(n('1000000000.5'), n('1e9'), 1e-6), true);
    strictEqual(numbersMatch(n('0.34'), n('\\frac{1}{3}'), 1e-6), false);
  });
  it('compares an integer truth exactly, at any size', () => {
    strictEqual(numbersMatch(n('0'), n(String(factorial(300))), 1e-6), false);
    strictEqual(numbersMatch(n(String(factorial(300))), n(String(factorial(300))), 1e-6), true);
    strictEqual(numbersMatch(n(String(factorial(300) + 1n)), n(String(factorial(300))), 1e-6), false);
    strictEqual(numbersMatch(n('12345670000000000000'), n('12345678901234567890'), 1e-6), false);
    strictEqual(numbersMatch(n('1000000000.5'), n('1000000000'), 1e-6), false);
  });
  it('does not accept any number for 1e400 (it is not Infinity)', () => {
    strictEqual(numbersMatch(n('0'), n('1e400'), 1e-6), false);
    strictEqual(numbersMatch(n('1e399'), n('1e400'), 1e-6), false);
    strictEqual(numbersMatch(n('1e400'), n('1e400'), 0), true);
    strictEqual(numbersMatch(n(`1${'0'.repeat(400)}`), n('1e400'), 0), true);
  });
  it('applies no tolerance when it is 0', () => {
    strictEqual(numbersMatch(n('0.3000001'), n('0.3'), 0), false);
    strictEqual(numbersMatch(n('0.30'), n('0.3'), 0), true);
  });
});

describe('parseExactNumber', () => {
  it('refuses non-numbers and exponents beyond the limit', () => {
    for (const text of ['Infinity', 'NaN', '', '.', '-', '0x10', '1e100001', '1e99999999999999999999']) strictEqual(parseExactNumber(text), null, text);
    strictEqual(exactEqual(parseExactNumber('1e3')!, parseExactNumber('1000')!), true);
  });
});
