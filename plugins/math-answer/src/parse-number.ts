// Reads a LaTeX-ish answer as an exact number: integers, decimals, thousands separators, fractions, percentages.
import { divideExact, numbersEqual, parseExactNumber, scaleDown, type ExactNumber } from '@molrl/core/plugin';

/** Strips what never changes a value: $, \left/\right, \text{units}, spaces, \!, trailing period. */
export function normaliseAnswer(raw: string): string {
  return raw
    .replace(/\\(?:text|mathrm|textbf|mbox)\{[^{}]*\}/g, '')
    .replace(/\\left|\\right|\\!|\\,|\\;|\\ |\$/g, '')
    .replace(/\^\{?\\circ\}?|°/g, '')
    .replace(/\s+/g, '')
    .replace(/\.$/, '')
    .replace(/\\dfrac|\\tfrac/g, '\\frac');
}

/**
 * The candidate values of an answer (a percentage gives both p and p/100), exact at any size, or [] when
 * it is not a number.
 */
export function parseNumber(raw: string): ExactNumber[] {
  const s = normaliseAnswer(raw);
  const percent = /^(.*?)(\\%|%)$/.exec(s);
  const body = percent ? percent[1] : s;
  const value = plain(body);
  if (value === null) return [];
  return percent ? [value, scaleDown(value, 2)] : [value];
}

function plain(s: string): ExactNumber | null {
  const negative = s.startsWith('-');
  const t = s.replace(/^[-+]/, '');
  const signed = (v: ExactNumber | null) => (v === null || !negative ? v : { ...v, num: -v.num });
  if (/^\d{1,3}(,\d{3})+(\.\d+)?$/.test(t)) return signed(parseExactNumber(t.replace(/,/g, '')));
  if (/^(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t)) return signed(parseExactNumber(t));
  const frac = /^\\frac\{?([-+]?\d+(?:\.\d+)?)\}?\{?([-+]?\d+(?:\.\d+)?)\}?$/.exec(t) ?? /^([-+]?\d+(?:\.\d+)?)\/([-+]?\d+(?:\.\d+)?)$/.exec(t);
  if (frac) {
    const n = parseExactNumber(frac[1]);
    const d = parseExactNumber(frac[2]);
    return n && d ? signed(divideExact(n, d)) : null;
  }
  return null;
}

/**
 * True when some candidate value of `answer` equals one of `truth`: exactly for an integer truth, within
 * `tolerance` (relative above 1) for a truth written with a decimal point, exponent, fraction or percent.
 */
export function numbersMatch(answer: readonly ExactNumber[], truth: readonly ExactNumber[], tolerance: number): boolean {
  return answer.some((a) => truth.some((t) => numbersEqual(a, t, tolerance)));
}
