// Compares a program's stdout with the ground truth: text (optionally whitespace-trimmed) or numbers within a tolerance.

/** Options of the comparison. */
export interface CompareOptions {
  trimWhitespace: boolean;
  numericTolerance: number;
}

const NUMBER = /^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;

function normalise(text: string, trim: boolean): string {
  const unix = text.replace(/\r\n/g, '\n');
  return trim ? unix.split('\n').map((l) => l.trimEnd()).join('\n').trim() : unix;
}

/**
 * True when `actual` matches `expected`. With `trimWhitespace`, trailing spaces of each line and leading /
 * trailing blank space are ignored. When both sides are a single number, they match within
 * `numericTolerance` (absolute, or relative to |expected| when that is larger than 1).
 */
export function outputMatches(actual: string, expected: string, options: CompareOptions): boolean {
  const a = normalise(actual, options.trimWhitespace);
  const e = normalise(expected, options.trimWhitespace);
  if (a === e) return true;
  const at = a.trim();
  const et = e.trim();
  if (NUMBER.test(at) && NUMBER.test(et)) {
    const x = Number(at);
    const y = Number(et);
    return Math.abs(x - y) <= options.numericTolerance * Math.max(1, Math.abs(y));
  }
  return false;
}
