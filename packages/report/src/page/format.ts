// Number, time and label formatting of the report page.

/** A metric value: integers as is, others with 3 significant digits past the point (or exponent when tiny). */
export function fmt(v: number | null | undefined, digits = 3): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '–';
  if (Number.isInteger(v)) return v.toLocaleString('en-US');
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return v.toExponential(2);
  return v.toFixed(a >= 100 ? 1 : digits);
}

/** Seconds as `1h02m`, `3m05s` or `12s`. */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s >= 3600) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${s}s`;
}

/** How long ago `iso` was, from `now`. */
export function ago(iso: string, now = Date.now()): string {
  return `${duration((now - Date.parse(iso)) / 1000)} ago`;
}

/** Labels of `keys` without their common leading path segments (`reward/x/a`, `reward/x/b` -> `a`, `b`). */
export function shortLabels(keys: readonly string[]): string[] {
  if (keys.length < 2) return [...keys];
  const parts = keys.map((k) => k.split('/'));
  let common = 0;
  while (parts.every((p) => p.length > common + 1 && p[common] === parts[0][common])) common++;
  return parts.map((p) => p.slice(common).join('/'));
}
