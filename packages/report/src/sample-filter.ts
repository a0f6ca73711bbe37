// The sample browser's filter: by step, status, reward range and a case-insensitive text search (pure, testable in Node).
import type { PageRunSamples } from './report-data.ts';

/** What the user chose; absent fields do not filter. */
export interface SampleFilter {
  /** Only this global step. */
  step?: number | null;
  /** Only this status ('ok', 'abstain', 'infra_error', 'plugin_error', ...). */
  status?: string | null;
  /** Reward bounds (inclusive); a sample without a score never passes a bound. */
  minReward?: number | null;
  maxReward?: number | null;
  /** Substring of the completion, prompt, feedback, prompt id or a reward reason (case-insensitive). */
  query?: string | null;
}

/** Indexes of the samples of `run` that pass `filter`, in their order. */
export function filterSamples(run: PageRunSamples, filter: SampleFilter): number[] {
  const q = filter.query?.trim().toLowerCase() ?? '';
  const out: number[] = [];
  run.samples.forEach((s, i) => {
    if (filter.step !== undefined && filter.step !== null && s.s !== filter.step) return;
    if (filter.status && s.st !== filter.status) return;
    const hasMin = filter.minReward !== undefined && filter.minReward !== null;
    const hasMax = filter.maxReward !== undefined && filter.maxReward !== null;
    if ((hasMin || hasMax) && s.r === null) return;
    if (hasMin && (s.r as number) < (filter.minReward as number)) return;
    if (hasMax && (s.r as number) > (filter.maxReward as number)) return;
    if (q) {
      const reasons = Object.values(s.rw).map((r) => `${r.reason ?? ''} ${r.error ?? ''}`).join(' ');
      const hay = `${s.c}\n${run.prompts[s.p] ?? ''}\n${s.fb ?? ''}\n${s.pid}\n${reasons}`.toLowerCase();
      if (!hay.includes(q)) return;
    }
    out.push(i);
  });
  return out;
}
