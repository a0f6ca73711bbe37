// PluginScorer: one configured plugin's hooks behind one interface, run in-process (workers have their own).
import { runHook } from '../plugins/run-hook.ts';
import type { RewardContext, RewardPlugin, RewardResult, RewardSample } from '../types.ts';
import { scoreWithRetries, type ScoreLimits } from './score-sample.ts';

/** The hooks of one configured plugin, attributed, limited and normalised. */
export interface PluginScorer {
  /** Runs `setup` (PLUGIN_HOOK_FAILED / PLUGIN_TIMEOUT on failure). */
  setup(timeoutMs: number): Promise<void>;
  /** Scores one sample (never rejects except REWARD_ABORTED). */
  score(sample: RewardSample, limits: ScoreLimits): Promise<RewardResult>;
  /** Runs `teardown` (PLUGIN_HOOK_FAILED on failure). */
  teardown(error: unknown, timeoutMs: number): Promise<void>;
}

/** A scorer that calls the plugin's hooks on the calling thread. */
export function inlineScorer(plugin: RewardPlugin, name: string, ctx: Omit<RewardContext, 'signal'>): PluginScorer {
  return {
    async setup(timeoutMs) {
      if (plugin.setup) await runHook(name, 'setup', (signal) => plugin.setup?.({ ...ctx, signal }), { timeoutMs });
    },
    score(sample, limits) {
      return scoreWithRetries(plugin, name, sample, { ...ctx, step: sample.step ?? ctx.step }, limits);
    },
    async teardown(error, timeoutMs) {
      if (plugin.teardown) await runHook(name, 'teardown', (signal) => plugin.teardown?.({ ...ctx, signal }, error), { timeoutMs });
    },
  };
}
