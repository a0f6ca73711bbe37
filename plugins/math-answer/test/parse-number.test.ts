// Tests of numeric reading: separators, fractions, percentages, units, and non-numbers.
import { deepStrictEqual, strictEqual } from 'node:assert/strict';
import { numbersMatch, parseNumber } from '../src/parse-number.ts';

describe('parseNumber', () => {
  it('reads integers, decimals, signs and thousands separators', () => {
    deepStrictEqual(parseNumber('42'), [42]);
    deepStrictEqual(parseNumber('-0.5'), [-0.5]);
    deepStrictEqual(parseNumber('1,234,567'), [1234567]);
  });
  it('reads fractions in LaTeX and slash form', () => {
    deepStrictEqual(parseNumber('\\frac{3}{4}'), [0.75]);
    deepStrictEqual(parseNumber('\\dfrac{1}{8}'), [0.125]);
    deepStrictEqual(parseNumber('-\\frac{1}{2}'), [-0.5]);
    deepStrictEqual(parseNumber('3/4'), [0.75]);
  });
  it('gives a percentage both as written and divided by 100', () => {
    deepStrictEqual(parseNumber('50\\%'), [50, 0.5]);
  });
  it('ignores dollars, units and degree signs', () => {
    deepStrictEqual(parseNumber('$12$'), [12]);
    deepStrictEqual(parseNumber('12\\text{ cm}'), [12]);
    deepStrictEqual(parseNumber('90^\\circ'), [90]);
  });
  it('returns no value for expressions', () => {
    deepStrictEqual(parseNumber('x+1'), []);
    deepStrictEqual(parseNumber('\\sqrt{2}'), []);
    deepStrictEqual(parseNumber('1/0'), []);
  });
});

describe('numbersMatch', () => {
  it('matches within the tolerance, relative for large values', () => {
    strictEqual(numbersMatch([0.3333333], [1 / 3], 1e-6), true);
    strictEqual(numbersMatch([1e9 + 0.5], [1e9], 1e-6), true);
    strictEqual(numbersMatch([0.34], [1 / 3], 1e-6), false);
  });
});
