// normalizeScore: the one place that turns what a `score` hook returned into a RewardResult.
import { errors } from '../errors.ts';
import type { RewardResult } from '../types.ts';

const OBJECT_KEYS = new Set(['score', 'reason', 'components', 'feedback']);

function show(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'function') return `a function (${(value as { name?: string }).name || 'anonymous'})`;
  try {
    const text = JSON.stringify(value);
    return text.length > 200 ? `${text.slice(0, 197)}...` : text;
  } catch {
    return String(value);
  }
}

/** Largest |score| a plugin without a declared `scoreRange` may return (a larger one is a bug, not a reward). */
export const MAX_ABS_SCORE = 1e6;

/**
 * Converts a ScoreReturn into a RewardResult (without durationMs): number -> ok, boolean -> 1/0,
 * null -> abstain, `{ score, reason?, components?, feedback? }` -> ok or abstain.
 * Throws REWARD_SCORE_INVALID (showing the value and the allowed shapes) for anything else,
 * including NaN/Infinity, unknown keys, non-numeric components, and a score outside `range`
 * (the plugin's `scoreRange`, default [-MAX_ABS_SCORE, MAX_ABS_SCORE]).
 */
export function normalizeScore(value: unknown, plugin: string, range: readonly [number, number] = [-MAX_ABS_SCORE, MAX_ABS_SCORE]): Omit<RewardResult, 'durationMs'> {
  const bad = (why?: string) => errors.REWARD_SCORE_INVALID(plugin, show(value), why);
  const inRange = (x: number) => {
    if (x < range[0] || x > range[1]) throw bad(`the score ${x} is outside the plugin's range [${range[0]}, ${range[1]}]`);
  };
  if (value === null) return { score: null, status: 'abstain', components: {} };
  if (typeof value === 'boolean') return { score: value ? 1 : 0, status: 'ok', components: {} };
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw bad();
    inRange(value);
    return { score: value, status: 'ok', components: {} };
  }
  if (typeof value !== 'object' || Array.isArray(value)) throw bad();
  const obj = value as Record<string, unknown>;
  if (!('score' in obj) || Object.keys(obj).some((k) => !OBJECT_KEYS.has(k))) throw bad();
  const score = obj.score;
  if (score !== null && (typeof score !== 'number' || !Number.isFinite(score))) throw bad();
  if (score !== null) inRange(score);
  if (obj.reason !== undefined && typeof obj.reason !== 'string') throw bad();
  if (obj.feedback !== undefined && typeof obj.feedback !== 'string') throw bad();
  const components: Record<string, number> = {};
  if (obj.components !== undefined) {
    if (obj.components === null || typeof obj.components !== 'object' || Array.isArray(obj.components)) throw bad();
    for (const [k, v] of Object.entries(obj.components)) {
      if (typeof v !== 'number' || !Number.isFinite(v)) throw bad();
      components[k] = v;
    }
  }
  return {
    score: score as number | null,
    status: score === null ? 'abstain' : 'ok',
    components,
    ...(obj.reason === undefined ? {} : { reason: obj.reason as string }),
    ...(obj.feedback === undefined ? {} : { feedback: obj.feedback as string }),
  };
}
