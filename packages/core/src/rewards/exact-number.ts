// Exact numbers for reward comparisons: integers as big integers, decimals as exact rationals, a tolerance
// only for values written with a decimal point or an exponent, never a float that overflows or rounds.

/** A rational number `num / den` (den > 0), exact at any size. */
export interface ExactNumber {
  num: bigint;
  den: bigint;
  /** True when the text was written as an integer (digits only, optional sign): compared without tolerance. */
  integer: boolean;
}

/** Exponents beyond this are not read as numbers (10^100000 has 41 kB; bigger ones are compared as text). */
export const MAX_EXPONENT = 100_000;

const DECIMAL = /^([-+]?)(\d*)(?:\.(\d*))?(?:[eE]([-+]?\d+))?$/;

/**
 * Reads `123`, `-4.50`, `.5`, `1e400`, `1.2E-3` exactly; null for anything else (including `Infinity`,
 * `NaN`, hex, empty text, or an exponent above MAX_EXPONENT).
 */
export function parseExactNumber(text: string): ExactNumber | null {
  const m = DECIMAL.exec(text);
  if (!m) return null;
  const [, sign, whole, frac, exp] = m;
  if (whole === '' && (frac === undefined || frac === '')) return null;
  if (exp !== undefined && exp.replace(/^[-+]?0*/, '').length > String(MAX_EXPONENT).length) return null;
  const e = (exp === undefined ? 0 : Number(exp)) - (frac ?? '').length;
  if (Math.abs(e) > MAX_EXPONENT) return null;
  let num = BigInt(`${whole}${frac ?? ''}` || '0');
  let den = 1n;
  if (e >= 0) num *= 10n ** BigInt(e);
  else den = 10n ** BigInt(-e);
  if (sign === '-') num = -num;
  return { num, den, integer: frac === undefined && exp === undefined };
}

/** `a / b` exactly; null when b is 0. */
export function divideExact(a: ExactNumber, b: ExactNumber): ExactNumber | null {
  if (b.num === 0n) return null;
  const sign = b.num < 0n ? -1n : 1n;
  return { num: a.num * b.den * sign, den: a.den * b.num * sign, integer: false };
}

/** `value / 10^k` exactly (a percentage is value / 100). */
export function scaleDown(value: ExactNumber, k: number): ExactNumber {
  return { num: value.num, den: value.den * 10n ** BigInt(k), integer: false };
}

/** a == b as rationals. */
export function exactEqual(a: ExactNumber, b: ExactNumber): boolean {
  return a.num * b.den === b.num * a.den;
}

/** A finite double as the exact rational it stores (0.1 is 3602879701896397 / 2^55). */
function fromDouble(x: number): { num: bigint; den: bigint } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const exponent = Number((bits >> 52n) & 0x7ffn);
  const mantissa = bits & ((1n << 52n) - 1n);
  const m = exponent === 0 ? mantissa : mantissa | (1n << 52n);
  const e = (exponent === 0 ? 1 : exponent) - 1075;
  return e >= 0 ? { num: m << BigInt(e), den: 1n } : { num: m, den: 1n << BigInt(-e) };
}

const abs = (x: bigint) => (x < 0n ? -x : x);

/**
 * True when `actual` equals `expected`: exactly when `expected` was written as an integer or `tolerance`
 * is 0; otherwise within `tolerance`, absolute, or relative to |expected| when that is above 1
 * (|a - e| <= tolerance * max(1, |e|), computed on exact rationals).
 */
export function numbersEqual(actual: ExactNumber, expected: ExactNumber, tolerance: number): boolean {
  if (exactEqual(actual, expected)) return true;
  if (expected.integer || !(tolerance > 0) || !Number.isFinite(tolerance)) return false;
  const t = fromDouble(tolerance);
  // |a/ad - e/ed| <= t * max(1, |e/ed|)  <=>  |a*ed - e*ad| * td <= tn * ad * max(ed, |e|)
  const diff = abs(actual.num * expected.den - expected.num * actual.den);
  const scale = abs(expected.num) > expected.den ? abs(expected.num) : expected.den;
  return diff * t.den <= t.num * actual.den * scale;
}
