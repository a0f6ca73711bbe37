// createRewardEngine: loads the configured reward plugins and scores samples with them, concurrently.
import { validateSandboxConfig, type Sandbox } from '@molrl/sandbox';
import { errors } from '../errors.ts';
import type { RewardEngine, RewardEngineConfig, RewardEngineOptions, RewardResult, RewardSample, ScoredSample } from '../types.ts';
import { combineRewards } from './combine-rewards.ts';
import { prefixLogger, stderrLogger } from './default-logger.ts';
import { lazySandbox } from './lazy-sandbox.ts';
import { loadRewardPlugins, type ConfiguredReward } from './load-reward-plugins.ts';
import { inlineScorer, type PluginScorer } from './plugin-scorer.ts';
import { validateRewardsConfig } from './rewards-config-schema.ts';
import { scoreInOrder } from './score-in-order.ts';
import { startWorkerPool } from './worker-pool.ts';

const isSandbox = (v: unknown): v is Sandbox => typeof (v as Sandbox)?.run === 'function' && typeof (v as Sandbox)?.close === 'function';

/** Defaults of RewardEngineOptions. */
export const REWARD_ENGINE_DEFAULTS = Object.freeze({ concurrency: 32, sampleTimeoutMs: 60_000, retries: 2, workers: false as boolean | number, hookTimeoutMs: 120_000 });

interface Configured extends ConfiguredReward {
  scorer?: PluginScorer;
}

/**
 * Loads every plugin of `config.rewards` (PLUGIN_NOT_FOUND / PLUGIN_INVALID / PLUGIN_VERSION_MISMATCH /
 * PLUGIN_DEPENDENCY_MISSING / PLUGIN_OPTIONS_INVALID, several at once as CONFIG_INVALID), validates their
 * options before any hook, runs their `setup` and returns the engine. On a setup failure every plugin's
 * teardown runs and the error is thrown. See RewardEngine for scoring semantics.
 */
export async function createRewardEngine(config: RewardEngineConfig, opts: RewardEngineOptions = {}): Promise<RewardEngine> {
  validateRewardsConfig(config?.rewards);
  const o = { ...REWARD_ENGINE_DEFAULTS, ...Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)) } as typeof REWARD_ENGINE_DEFAULTS & RewardEngineOptions;
  const ownSandbox = !isSandbox(config.sandbox);
  const sandbox = isSandbox(config.sandbox) ? config.sandbox : lazySandbox(validateSandboxConfig(config.sandbox ?? {}, 'sandbox'));
  const logger = o.logger ?? stderrLogger;

  const configured: Configured[] = await loadRewardPlugins(config.rewards, sandbox.backend, o.baseDir, o.builtins);

  const workerCount = o.workers === true ? undefined : o.workers === false ? 0 : o.workers;
  const pool = o.workers !== false && workerCount !== 0 && configured.some((c) => c.loaded.source.kind !== 'object')
    ? startWorkerPool(sandbox, { threads: workerCount, concurrency: o.concurrency })
    : null;
  configured.forEach((c, key) => {
    const ctx = { options: c.options, sandbox, logger: prefixLogger(logger, c.name), step: 0, runDir: o.runDir };
    c.scorer = pool && c.loaded.source.kind !== 'object' ? pool.scorer(key, c.loaded.source, c.name, c.options, ctx) : inlineScorer(c.loaded.plugin, c.name, ctx);
  });

  const teardownAll = async (error?: unknown) => {
    const failures = (await Promise.allSettled(configured.map((c) => c.scorer!.teardown(error, o.hookTimeoutMs)))).filter((r) => r.status === 'rejected');
    await pool?.destroy();
    if (ownSandbox) await sandbox.close();
    return failures.map((f) => (f as PromiseRejectedResult).reason);
  };
  const setups = await Promise.allSettled(configured.map((c) => c.scorer!.setup(o.hookTimeoutMs)));
  const setupFailure = setups.find((r) => r.status === 'rejected') as PromiseRejectedResult | undefined;
  if (setupFailure) {
    await teardownAll(setupFailure.reason);
    throw setupFailure.reason;
  }

  const closing = new AbortController();
  const inFlight = new Set<Promise<unknown>>();
  let closed = false;

  async function score(sample: RewardSample, scoreOpts: { signal?: AbortSignal } = {}): Promise<ScoredSample> {
    if (closed) throw errors.REWARD_ENGINE_CLOSED();
    const start = performance.now();
    const full: RewardSample = { ...sample, metadata: sample.metadata ?? {} };
    const signal = scoreOpts.signal ? AbortSignal.any([scoreOpts.signal, closing.signal]) : closing.signal;
    const work = Promise.all(configured.map((c) => c.scorer!.score(full, { timeoutMs: o.sampleTimeoutMs, retries: o.retries, signal })));
    inFlight.add(work);
    let results: RewardResult[];
    try {
      results = await work;
    } finally {
      inFlight.delete(work);
    }
    const rewards: Record<string, RewardResult> = {};
    configured.forEach((c, i) => (rewards[c.name] = results[i]));
    const total = combineRewards(configured.map((c, i) => ({ weight: c.weight, result: results[i] })));
    const feedback = results.map((r) => r.feedback).filter((f): f is string => typeof f === 'string' && f !== '');
    return { id: sample.id, ...total, rewards, ...(feedback.length ? { feedback: feedback.join('\n\n') } : {}), durationMs: performance.now() - start };
  }

  return {
    plugins: Object.freeze(configured.map((c) => Object.freeze({ name: c.name, weight: c.weight }))),
    score,
    scoreAll: (samples, scoreOpts) => scoreInOrder(samples, (s) => score(s, scoreOpts), o.concurrency),
    async close() {
      if (closed) return;
      closed = true;
      closing.abort(errors.REWARD_ENGINE_CLOSED());
      await Promise.allSettled([...inFlight]);
      const failures = await teardownAll();
      if (failures.length > 0) throw failures[0];
    },
  };
}
