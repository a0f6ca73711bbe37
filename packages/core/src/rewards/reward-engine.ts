// createRewardEngine: loads the configured reward plugins and scores samples with them, concurrently.
import { availableParallelism } from 'node:os';
import { validateSandboxConfig, type Sandbox } from '@molrl/sandbox';
import { errors } from '../errors.ts';
import type { RewardEngine, RewardEngineConfig, RewardEngineOptions, RewardResult, RewardSample, ScoredSample } from '../types.ts';
import { combineRewards } from './combine-rewards.ts';
import { prefixLogger, stderrLogger } from './default-logger.ts';
import { lazySandbox, type LazySandbox } from './lazy-sandbox.ts';
import { loadRewardPlugins, type ConfiguredReward } from './load-reward-plugins.ts';
import { inlineScorer, type PluginScorer } from './plugin-scorer.ts';
import { installPluginFaultHandlers, onLateFault, type PluginFault, type PluginScope } from './plugin-scope.ts';
import { validateRewardsConfig } from './rewards-config-schema.ts';
import { scoreInOrder } from './score-in-order.ts';
import { watchStalls, type StallWatch } from './stall-watchdog.ts';
import { startWorkerPool, type WorkerPool } from './worker-pool.ts';

const isSandbox = (v: unknown): v is Sandbox => typeof (v as Sandbox)?.run === 'function' && typeof (v as Sandbox)?.close === 'function';

/** Defaults of RewardEngineOptions. */
export const REWARD_ENGINE_DEFAULTS = Object.freeze({
  concurrency: 32,
  sampleTimeoutMs: 60_000,
  retries: 2,
  workers: true as boolean | number,
  hookTimeoutMs: 120_000,
  maxPluginErrors: 10,
  workerMemoryMb: 1024,
});

/** Worker threads when `workers: true`: one per core, at most 4. */
export const DEFAULT_WORKER_THREADS = Math.max(1, Math.min(4, availableParallelism()));

/** How many plugin errors the PLUGIN_ERROR_LIMIT message lists. */
const SHOWN_ERRORS = 5;

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
  // own: the sandbox this engine starts and closes (null: the caller's)
  const own: LazySandbox | null = isSandbox(config.sandbox) ? null : lazySandbox(validateSandboxConfig(config.sandbox ?? {}, 'sandbox'));
  const sandbox = own ?? (config.sandbox as Sandbox);
  const logger = o.logger ?? stderrLogger;

  const pluginErrors: (PluginScope & { code: string; message: string })[] = [];
  let pluginErrorCount = 0;
  const countFault = (fault: PluginScope & { code: string; message: string }) => {
    pluginErrorCount++;
    if (pluginErrors.length < SHOWN_ERRORS) pluginErrors.push(fault);
  };
  const onLate = (f: PluginFault) => {
    logger.error(`[${f.plugin}] ${f.message} (in hook ${f.hook}${f.sampleId === undefined ? '' : ` of sample ${JSON.stringify(f.sampleId)}`}, after the hook had returned; counted as a plugin error)`);
    countFault({ plugin: f.plugin, hook: f.hook, ...(f.sampleId === undefined ? {} : { sampleId: f.sampleId }), code: 'PLUGIN_HOOK_FAILED', message: f.message });
  };
  const releaseHandlers = installPluginFaultHandlers();
  const stopLate = onLateFault(onLate);
  let stalls: StallWatch | null = null;
  let pool: WorkerPool | null = null;
  const release = () => {
    stalls?.release();
    stopLate();
    releaseHandlers();
  };

  let configured: Configured[];
  try {
    configured = await loadRewardPlugins(config.rewards, isSandbox(config.sandbox) ? sandbox.backend : { backend: sandbox.backend, ...((config.sandbox as { docker?: { memoryMb?: number } } | undefined)?.docker ? { docker: (config.sandbox as { docker: { memoryMb?: number } }).docker } : {}) }, o.baseDir, o.builtins);
  } catch (error) {
    release();
    throw error;
  }

  // a plugin that needs the sandbox will run in it: its backend (containers: ~0.2 s and more) starts while the
  // worker threads load the plugins
  if (own && configured.some((c) => (c.loaded.plugin.requires?.sandbox?.length ?? 0) > 0)) void own.warm();
  const threads = o.workers === false || o.workers === 0 ? 0 : o.workers === true ? DEFAULT_WORKER_THREADS : Math.max(1, Math.floor(o.workers));
  const inWorkers = (c: Configured) => threads > 0 && c.loaded.source.kind !== 'object';
  if (configured.some((c) => !inWorkers(c))) stalls = watchStalls(o.sampleTimeoutMs + 5_000);
  configured.forEach((c) => {
    if (inWorkers(c)) return;
    const ctx = { options: c.options, sandbox, logger: prefixLogger(logger, c.name), step: 0, runDir: o.runDir };
    c.scorer = inlineScorer(c.loaded.plugin, c.name, ctx, (scope) => stalls!.enter(scope));
  });

  const teardownAll = async (error?: unknown) => {
    const inline = configured.filter((c) => c.scorer);
    const failures = (await Promise.allSettled(inline.map((c) => c.scorer!.teardown(error, o.hookTimeoutMs)))).filter((r) => r.status === 'rejected').map((f) => (f as PromiseRejectedResult).reason as unknown);
    if (pool) failures.push(...(await pool.close(error)));
    if (own) await own.close();
    release();
    return failures;
  };
  try {
    const modules = configured.map((c, key) => ({ c, key })).filter(({ c }) => inWorkers(c));
    if (modules.length > 0) {
      pool = await startWorkerPool({
        threads,
        concurrency: o.concurrency,
        memoryMb: o.workerMemoryMb,
        init: {
          plugins: modules.map(({ c, key }) => ({ key, source: c.loaded.source, name: c.name, options: c.options as Record<string, unknown> })),
          backend: sandbox.backend,
          step: 0,
          ...(o.runDir === undefined ? {} : { runDir: o.runDir }),
          hookTimeoutMs: o.hookTimeoutMs,
        },
        sandbox,
        logger: (key) => (key === null ? logger : prefixLogger(logger, configured[key].name)),
        onLateFault: onLate,
      });
    }
    const setups = await Promise.allSettled(configured.filter((c) => c.scorer).map((c) => c.scorer!.setup(o.hookTimeoutMs)));
    const setupFailure = setups.find((r) => r.status === 'rejected') as PromiseRejectedResult | undefined;
    if (setupFailure) throw setupFailure.reason;
  } catch (error) {
    await teardownAll(error);
    throw error;
  }

  const closing = new AbortController();
  const inFlight = new Set<Promise<unknown>>();
  let closed = false;

  const scoreOne = (c: Configured, key: number, sample: RewardSample, signal: AbortSignal): Promise<RewardResult> => {
    const limits = { timeoutMs: o.sampleTimeoutMs, retries: o.retries, signal };
    return c.scorer ? c.scorer.score(sample, limits) : pool!.score(key, sample, limits);
  };

  async function score(sample: RewardSample, scoreOpts: { signal?: AbortSignal } = {}): Promise<ScoredSample> {
    if (closed) throw errors.REWARD_ENGINE_CLOSED();
    if (pluginErrorCount > o.maxPluginErrors) throw errors.PLUGIN_ERROR_LIMIT(o.maxPluginErrors, pluginErrorCount, pluginErrors);
    const start = performance.now();
    const full: RewardSample = { ...sample, metadata: sample.metadata ?? {} };
    const signal = scoreOpts.signal ? AbortSignal.any([scoreOpts.signal, closing.signal]) : closing.signal;
    const work = Promise.all(configured.map((c, key) => scoreOne(c, key, full, signal)));
    inFlight.add(work);
    let results: RewardResult[];
    try {
      results = await work;
    } finally {
      inFlight.delete(work);
    }
    const rewards: Record<string, RewardResult> = {};
    configured.forEach((c, i) => {
      rewards[c.name] = results[i];
      const r = results[i];
      if (r.status !== 'plugin_error') return;
      logger.warn(`[${c.name}] plugin_error on sample ${JSON.stringify(sample.id)} in hook ${r.error?.hook ?? 'score'}: ${r.error?.code}: ${r.error?.message}`);
      countFault({ plugin: c.name, hook: r.error?.hook ?? 'score', sampleId: sample.id, code: r.error?.code ?? 'PLUGIN_HOOK_FAILED', message: r.error?.message ?? '' });
    });
    if (pluginErrorCount > o.maxPluginErrors) throw errors.PLUGIN_ERROR_LIMIT(o.maxPluginErrors, pluginErrorCount, pluginErrors);
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
