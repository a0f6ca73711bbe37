// Reads a LaTeX-ish answer as a number: integers, decimals, thousands separators, fractions, percentages.

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

/** The candidate values of an answer (a percentage gives both p and p/100), or [] when it is not a number. */
export function parseNumber(raw: string): number[] {
  const s = normaliseAnswer(raw);
  const percent = /^(.*?)(\\%|%)$/.exec(s);
  const body = percent ? percent[1] : s;
  const value = plain(body);
  if (value === null) return [];
  return percent ? [value, value / 100] : [value];
}

function plain(s: string): number | null {
  const sign = s.startsWith('-') ? -1 : 1;
  const t = s.replace(/^[-+]/, '');
  if (/^\d{1,3}(,\d{3})+(\.\d+)?$/.test(t)) return sign * Number(t.replace(/,/g, ''));
  if (/^(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t)) return sign * Number(t);
  const frac = /^\\frac\{?([-+]?\d+(?:\.\d+)?)\}?\{?([-+]?\d+(?:\.\d+)?)\}?$/.exec(t) ?? /^([-+]?\d+(?:\.\d+)?)\/([-+]?\d+(?:\.\d+)?)$/.exec(t);
  if (frac) {
    const d = Number(frac[2]);
    return d === 0 ? null : (sign * Number(frac[1])) / d;
  }
  return null;
}

/** True when some candidate value of `answer` equals one of `truth` within `tolerance` (relative above 1). */
export function numbersMatch(answer: number[], truth: number[], tolerance: number): boolean {
  return answer.some((a) => truth.some((t) => Math.abs(a - t) <= tolerance * Math.max(1, Math.abs(t))));
}
