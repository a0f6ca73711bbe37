// Compares a program's stdout with the ground truth: text (optionally whitespace-trimmed) or exact numbers.
import { numbersEqual, parseExactNumber } from '@molrl/core/plugin';

/** Options of the comparison. */
export interface CompareOptions {
  trimWhitespace: boolean;
  numericTolerance: number;
}

function normalise(text: string, trim: boolean): string {
  const unix = text.replace(/\r\n/g, '\n');
  return trim ? unix.split('\n').map((l) => l.trimEnd()).join('\n').trim() : unix;
}

/**
 * True when `actual` matches `expected`. With `trimWhitespace`, trailing spaces of each line and leading /
 * trailing blank space are ignored. When both sides are a single number they compare exactly as numbers
 * (`1e3` equals `1000`, at any size: no float rounding or overflow); an expected value written with a
 * decimal point or exponent also matches within `numericTolerance` (absolute, or relative to |expected|
 * when that is larger than 1), an expected integer only exactly.
 */
export function outputMatches(actual: string, expected: string, options: CompareOptions): boolean {
  const a = normalise(actual, options.trimWhitespace);
  const e = normalise(expected, options.trimWhitespace);
  if (a === e) return true;
  const x = parseExactNumber(a.trim());
  const y = parseExactNumber(e.trim());
  return x !== null && y !== null && numbersEqual(x, y, options.numericTolerance);
}
