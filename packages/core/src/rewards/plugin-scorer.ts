// PluginScorer: one configured plugin's hooks behind one interface, run in-process (workers have their own).
import { runHook } from '../plugins/run-hook.ts';
import type { RewardContext, RewardPlugin, RewardResult, RewardSample } from '../types.ts';
import { runInPluginScope, type PluginScope } from './plugin-scope.ts';
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

/** Runs `setup` or `teardown` of `plugin` in its plugin scope with a time limit. */
export async function runLifecycleHook(plugin: RewardPlugin, name: string, hook: 'setup' | 'teardown', ctx: Omit<RewardContext, 'signal'>, timeoutMs: number, error?: unknown): Promise<void> {
  const fn = plugin[hook];
  if (!fn) return;
  await runHook(name, hook, (signal) => runInPluginScope({ plugin: name, hook }, () => (hook === 'setup' ? plugin.setup!({ ...ctx, signal }) : plugin.teardown!({ ...ctx, signal }, error))), { timeoutMs });
}

/** A scorer that calls the plugin's hooks on the calling thread; `enter` marks each hook call as running until the function it returns is called. */
export function inlineScorer(plugin: RewardPlugin, name: string, ctx: Omit<RewardContext, 'signal'>, enter: (scope: PluginScope, limitMs?: number) => () => void = () => () => {}): PluginScorer {
  let hookLimitMs: number | undefined;
  const tracked = async <T>(scope: PluginScope, fn: () => Promise<T>): Promise<T> => {
    const leave = enter(scope, scope.hook === 'score' ? undefined : hookLimitMs);
    try {
      return await fn();
    } finally {
      leave();
    }
  };
  return {
    setup: (timeoutMs) => {
      hookLimitMs = timeoutMs + 5_000;
      return tracked({ plugin: name, hook: 'setup' }, () => runLifecycleHook(plugin, name, 'setup', ctx, timeoutMs));
    },
    score: (sample, limits) => tracked({ plugin: name, hook: 'score', sampleId: sample.id }, () => scoreWithRetries(plugin, name, sample, { ...ctx, step: sample.step ?? ctx.step }, limits)),
    teardown: (error, timeoutMs) => {
      hookLimitMs = timeoutMs + 5_000;
      return tracked({ plugin: name, hook: 'teardown' }, () => runLifecycleHook(plugin, name, 'teardown', ctx, timeoutMs, error));
    },
  };
}
