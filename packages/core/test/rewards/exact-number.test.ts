// Tests of exact numbers: parsing at any size, rational equality, tolerance only for decimals, exact tolerance arithmetic.
import { strictEqual } from 'node:assert/strict';
import fc from 'fast-check';
import { exactEqual, numbersEqual, parseExactNumber } from '@molrl/core';

const p = (text: string) => {
  const v = parseExactNumber(text);
  if (v === null) throw new Error(`not a number: ${text}`);
  return v;
};

describe('parseExactNumber / numbersEqual', () => {
  it('reads integers, decimals and exponents exactly', () => {
    strictEqual(exactEqual(p('1e3'), p('1000')), true);
    strictEqual(exactEqual(p('.5'), p('0.50')), true);
    strictEqual(exactEqual(p('-1.5e-2'), p('-0.015')), true);
    strictEqual(exactEqual(p('12345678901234567890'), p('12345678901234567891')), false);
    strictEqual(p('42').integer, true);
    strictEqual(p('42.0').integer, false);
  });
  it('compares integers without tolerance and decimals within it', () => {
    strictEqual(numbersEqual(p('12345670000000000000'), p('12345678901234567890'), 1e-6), false);
    strictEqual(numbersEqual(p('1.0000001'), p('1.0'), 1e-6), true);
    strictEqual(numbersEqual(p('1.000002'), p('1.0'), 1e-6), false);
    strictEqual(numbersEqual(p('1.0000001'), p('1.0'), 0), false);
  });
  it('agrees with float arithmetic where floats are exact enough', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e6, max: 1e6 }), fc.integer({ min: -1e6, max: 1e6 }), (a, e) => {
        const actual = p(`${a}e-3`);
        const expected = p(`${e}e-3`);
        const tol = 1e-3;
        const want = Math.abs(a - e) * 1e-3 <= tol * Math.max(1, Math.abs(e) * 1e-3) + 1e-12;
        const near = Math.abs(Math.abs(a - e) * 1e-3 - tol * Math.max(1, Math.abs(e) * 1e-3)) < 1e-9;
        return near || numbersEqual(actual, expected, tol) === want;
      }),
    );
  });
});
