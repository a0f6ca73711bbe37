// The JSON form of one scored sample: a line of `molrl score --json` and a result of `molrl serve`'s /v1/score.
import type { RewardStatus, ScoredSample } from '../types.ts';

/** One plugin's part of ScoredSampleJson. */
export interface RewardResultJson {
  score: number | null;
  status: RewardStatus;
  components: Record<string, number>;
  reason: string | null;
  error?: { code: string; message: string };
}

/** A scored sample as plain JSON: total, status, every plugin's score and components, feedback, time. */
export interface ScoredSampleJson {
  id: string;
  score: number | null;
  status: RewardStatus;
  rewards: Record<string, RewardResultJson>;
  feedback: string | null;
  durationMs: number;
}

/** The JSON form of `r` (durations rounded to 0.01 ms). */
export function scoredSampleJson(r: ScoredSample): ScoredSampleJson {
  const rewards = Object.fromEntries(
    Object.entries(r.rewards).map(([k, v]) => [k, { score: v.score, status: v.status, components: v.components, reason: v.reason ?? null, ...(v.error ? { error: v.error } : {}) }]),
  );
  return { id: r.id, score: r.score, status: r.status, rewards, feedback: r.feedback ?? null, durationMs: Math.round(r.durationMs * 100) / 100 };
}
