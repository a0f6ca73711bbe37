// scoreWithRetries: one plugin's `score` on one sample, normalised, with timeout and bounded infra retries.
import { isMolrlError } from '@molrl/common';
import { runHook } from '../plugins/run-hook.ts';
import type { RewardContext, RewardPlugin, RewardResult, RewardSample } from '../types.ts';
import { normalizeScore } from './normalize-score.ts';

/** Limits of one scoring call. */
export interface ScoreLimits {
  /** Per-attempt time limit, ms. */
  timeoutMs: number;
  /** Retries after a REWARD_INFRA_ERROR. */
  retries: number;
  /** Cancels the call: it then rejects with REWARD_ABORTED. */
  signal?: AbortSignal;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Calls `plugin.score` and returns a RewardResult. A thrown REWARD_INFRA_ERROR is retried `retries` times
 * (10, 20, 40... ms apart); when retries run out, or the hook threw anything else, timed out or returned
 * an invalid value, the result is `status: 'infra_error', score: null` with the coded `error` (never 0).
 * Rejects only with REWARD_ABORTED, when `limits.signal` aborts.
 */
export async function scoreWithRetries(
  plugin: RewardPlugin,
  name: string,
  sample: RewardSample,
  ctx: Omit<RewardContext, 'signal'>,
  limits: ScoreLimits,
): Promise<RewardResult> {
  const start = performance.now();
  let attempts = 0;
  for (;;) {
    attempts++;
    try {
      const value = await runHook(name, 'score', (signal) => plugin.score(sample, { ...ctx, signal }), limits);
      return { ...normalizeScore(value, name), durationMs: performance.now() - start };
    } catch (error) {
      if (isMolrlError(error) && error.code === 'REWARD_ABORTED') throw error;
      if (isMolrlError(error) && error.code === 'REWARD_INFRA_ERROR' && attempts <= limits.retries) {
        await sleep(10 * 2 ** (attempts - 1));
        continue;
      }
      const code = isMolrlError(error) ? error.code : 'PLUGIN_HOOK_FAILED';
      const message = error instanceof Error ? error.message : String(error);
      return {
        score: null,
        status: 'infra_error',
        components: {},
        durationMs: performance.now() - start,
        error: { code, message: attempts > 1 ? `${message} (after ${attempts} attempts)` : message },
      };
    }
  }
}
