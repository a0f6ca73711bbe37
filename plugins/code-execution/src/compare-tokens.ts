// Output comparison of mode 'io': whole output (outputMatches) or token by token, per the `compare` options.
import { outputMatches, type CompareOptions } from './compare-output.ts';

/** The `compare` options of the plugin: CompareOptions plus token-wise comparison. */
export interface IoCompareOptions extends CompareOptions {
  tokens: boolean;
}

/**
 * True when `actual` matches `expected`. With `tokens`, both are split on whitespace and compared token by token
 * with outputMatches (so numbers compare as numbers per token, e.g. `1.0000001 2` matches `1 2` within the
 * tolerance); otherwise the whole outputs compare with outputMatches.
 */
export function ioOutputMatches(actual: string, expected: string, options: IoCompareOptions): boolean {
  if (!options.tokens) return outputMatches(actual, expected, options);
  const a = actual.split(/\s+/).filter(Boolean);
  const e = expected.split(/\s+/).filter(Boolean);
  return a.length === e.length && a.every((token, i) => outputMatches(token, e[i]!, options));
}

/** The first line where `actual` and `expected` differ (1-based), with both lines; null when no line differs. */
export function firstDifference(actual: string, expected: string): { line: number; actual: string; expected: string } | null {
  const a = actual.replace(/\r\n/g, '\n').replace(/\n+$/, '').split('\n');
  const e = expected.replace(/\r\n/g, '\n').replace(/\n+$/, '').split('\n');
  for (let i = 0; i < Math.max(a.length, e.length); i++) {
    if (a[i]?.trimEnd() !== e[i]?.trimEnd()) return { line: i + 1, actual: a[i] ?? '(no line)', expected: e[i] ?? '(no line)' };
  }
  return null;
}
