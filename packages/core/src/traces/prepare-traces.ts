// Preprocesses a whole trace file and summarises it: counts, turns and token histogram, dropped, truncated, bad lines.
import { parseTraces, type BadTraceLine } from './parse-traces.ts';
import { prepareTrace } from './prepare-trace.ts';
import type { PreparedTrace, PrepareOptions } from './trace-types.ts';

/** What preprocessing a file produced, beside the traces themselves. */
export interface PrepareSummary {
  input: number;
  kept: number;
  dropped: number;
  truncated: number;
  bad: BadTraceLine[];
  turns: { min: number; mean: number; max: number };
  /** Token histogram: bucket upper bound (powers of two) -> count. */
  tokenHistogram: Record<string, number>;
  tokens: { total: number; ce: number; kl: number };
}

/** Preprocess JSONL text of traces. */
export function prepareTraces(text: string, options: PrepareOptions): { traces: PreparedTrace[]; summary: PrepareSummary } {
  const { traces: raw, bad } = parseTraces(text);
  const traces: PreparedTrace[] = [];
  const count = options.countTokens;
  let dropped = 0;
  for (const t of raw) {
    const p = prepareTrace(t, options);
    if (p) traces.push(p);
    else dropped++;
  }
  const turnCounts = traces.map((t) => t.segments.filter((s) => !s.continues).length);
  const histogram: Record<string, number> = {};
  const tokens = { total: 0, ce: 0, kl: 0 };
  for (const t of traces) {
    let bucket = 64;
    while (bucket < t.tokens) bucket *= 2;
    histogram[`<=${bucket}`] = (histogram[`<=${bucket}`] ?? 0) + 1;
    tokens.total += t.tokens;
    for (const s of t.segments) {
      const n = count ? count(s.text) : Buffer.byteLength(s.text, 'utf8');
      if (s.loss === 'ce') tokens.ce += n;
      if (s.loss === 'kl') tokens.kl += n;
    }
  }
  const sum = turnCounts.reduce((a, b) => a + b, 0);
  return {
    traces,
    summary: {
      input: raw.length + bad.length,
      kept: traces.length,
      dropped,
      truncated: traces.filter((t) => t.truncated).length,
      bad,
      turns: { min: turnCounts.length ? Math.min(...turnCounts) : 0, mean: turnCounts.length ? sum / turnCounts.length : 0, max: turnCounts.length ? Math.max(...turnCounts) : 0 },
      tokenHistogram: histogram,
      tokens,
    },
  };
}
