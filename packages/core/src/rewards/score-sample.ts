// scoreWithRetries: one plugin's `score` on one sample, normalised, with timeout, bounded infra retries and
// fault attribution (a bug of the plugin is plugin_error, a failure of the sandbox infra_error; never 0).
import { isMolrlError } from '@molrl/common';
import type { RunOptions, RunRequest, RunResult, Sandbox } from '@molrl/sandbox';
import { runHook } from '../plugins/run-hook.ts';
import type { RewardContext, RewardPlugin, RewardResult, RewardSample } from '../types.ts';
import { normalizeScore } from './normalize-score.ts';
import { outsidePluginScope, runInPluginScope } from './plugin-scope.ts';

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

/** The sandbox as a hook sees it: host code (outside the plugin scope), counting the runs still pending. */
function trackedSandbox(sandbox: Sandbox): { sandbox: Sandbox; pending(): number } {
  let pending = 0;
  return {
    pending: () => pending,
    sandbox: {
      backend: sandbox.backend,
      run(req: RunRequest, opts?: RunOptions): Promise<RunResult> {
        pending++;
        return outsidePluginScope(() => sandbox.run(req, opts)).finally(() => pending--);
      },
      close: () => outsidePluginScope(() => sandbox.close()),
    },
  };
}

/** A failed RewardResult: `status` with the coded error (score null, never 0). */
export function failedResult(status: 'infra_error' | 'plugin_error', error: unknown, start: number, hook = 'score', attempts = 1): RewardResult {
  const code = isMolrlError(error) ? error.code : 'PLUGIN_HOOK_FAILED';
  const message = error instanceof Error ? error.message : String(error);
  return {
    score: null,
    status,
    components: {},
    durationMs: performance.now() - start,
    error: { code, message: attempts > 1 ? `${message} (after ${attempts} attempts)` : message, hook },
  };
}

/**
 * Calls `plugin.score` and returns a RewardResult. A thrown REWARD_INFRA_ERROR is retried `retries` times
 * (10, 20, 40... ms apart) and becomes `infra_error` when retries run out; so does a timeout while a
 * sandbox run was still pending (the sandbox was too slow, not the plugin). Anything else — a throw, a
 * stray rejection or timer exception of the hook, process.exit, a timeout in the plugin's own code, an
 * invalid value — is `plugin_error`. Both carry the coded `error` and score null, never 0.
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
    const tracked = trackedSandbox(ctx.sandbox);
    try {
      const value = await runHook(name, 'score', (signal) => runInPluginScope({ plugin: name, hook: 'score', sampleId: sample.id }, () => plugin.score(sample, { ...ctx, sandbox: tracked.sandbox, signal })), limits);
      return { ...normalizeScore(value, name, plugin.scoreRange), durationMs: performance.now() - start };
    } catch (error) {
      if (isMolrlError(error) && error.code === 'REWARD_ABORTED') throw error;
      const infra = isMolrlError(error) && error.code === 'REWARD_INFRA_ERROR';
      if (infra && attempts <= limits.retries) {
        await sleep(10 * 2 ** (attempts - 1));
        continue;
      }
      const sandboxSlow = isMolrlError(error) && error.code === 'PLUGIN_TIMEOUT' && tracked.pending() > 0;
      return failedResult(infra || sandboxSlow ? 'infra_error' : 'plugin_error', error, start, 'score', attempts);
    }
  }
}
