// startWorkerPool: tinypool worker threads for plugin code; the sandbox stays on the main thread (served per task).
import { availableParallelism } from 'node:os';
import { MessageChannel } from 'node:worker_threads';
import { isMolrlError } from '@molrl/common';
import type { Sandbox } from '@molrl/sandbox';
import Tinypool from 'tinypool';
import { errors } from '../errors.ts';
import type { PluginSource } from '../plugins/load-plugin.ts';
import type { RewardLogger, RewardResult } from '../types.ts';
import type { PluginScorer } from './plugin-scorer.ts';
import { serveSandbox, type ToWorker } from './sandbox-proxy.ts';
import type { WorkerTask } from './score-worker.ts';

/** The worker file next to this one: .ts when running from sources (tests, --conditions=molrl-src), .js from dist. */
const WORKER_FILE = new URL(`./score-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url).href;

/** A running pool: makes scorers for plugins and stops the threads (running their teardowns). */
export interface WorkerPool {
  scorer(key: number, source: PluginSource, name: string, options: Readonly<Record<string, unknown>>, ctx: { step: number; runDir?: string; logger: RewardLogger }): PluginScorer;
  destroy(): Promise<void>;
}

/** Starts `threads` workers (default: available cores) each running up to ceil(concurrency / threads) tasks at once. */
export function startWorkerPool(sandbox: Sandbox, opts: { threads?: number; concurrency: number }): WorkerPool {
  const threads = Math.max(1, opts.threads ?? availableParallelism());
  const pool = new Tinypool({
    filename: WORKER_FILE,
    minThreads: threads,
    maxThreads: threads,
    concurrentTasksPerWorker: Math.max(1, Math.ceil(opts.concurrency / threads)),
    idleTimeout: 2 ** 31 - 1,
    teardown: 'teardown',
  });

  function task(base: Omit<WorkerTask, 'port'>, logger: RewardLogger, signal?: AbortSignal, graceMs?: number) {
    const { port1, port2 } = new MessageChannel();
    const stop = serveSandbox(port1, sandbox, logger);
    const abort = () => port1.postMessage({ type: 'abort', reason: String(signal?.reason?.message ?? signal?.reason) } satisfies ToWorker);
    signal?.addEventListener('abort', abort, { once: true });
    let timer: NodeJS.Timeout | undefined;
    const hung = graceMs === undefined ? null : new Promise<never>((_, reject) => (timer = setTimeout(() => reject(errors.PLUGIN_TIMEOUT(base.name, base.op, graceMs)), graceMs)));
    const work = pool.run({ ...base, port: port2 } satisfies WorkerTask, { transferList: [port2] }) as Promise<{ result?: RewardResult; threadId: number }>;
    return (hung ? Promise.race([work, hung]) : work).finally(() => {
      if (timer) clearTimeout(timer);
      signal?.removeEventListener('abort', abort);
      stop();
    });
  }

  return {
    scorer(key, source, name, options, ctx) {
      const base = { key, source, name, options: options as Record<string, unknown>, backend: sandbox.backend, step: ctx.step, runDir: ctx.runDir };
      return {
        async setup(timeoutMs) {
          await task({ ...base, op: 'setup', hookTimeoutMs: timeoutMs }, ctx.logger);
        },
        async score(sample, limits) {
          if (limits.signal?.aborted) throw errors.REWARD_ABORTED(limits.signal.reason);
          const start = performance.now();
          // a worker stuck in synchronous code cannot honour its own timeout: the main thread gives up after all attempts plus 5 s
          const graceMs = limits.timeoutMs * (limits.retries + 1) + 5_000;
          try {
            const out = await task({ ...base, op: 'score', hookTimeoutMs: limits.timeoutMs, sample, limits: { timeoutMs: limits.timeoutMs, retries: limits.retries } }, ctx.logger, limits.signal, graceMs);
            if (limits.signal?.aborted) throw errors.REWARD_ABORTED(limits.signal.reason);
            return out.result!;
          } catch (error) {
            if (isMolrlError(error) && error.code === 'REWARD_ABORTED') throw error;
            if (limits.signal?.aborted) throw errors.REWARD_ABORTED(limits.signal.reason);
            const code = isMolrlError(error) ? error.code : (error as { code?: string })?.code ?? 'PLUGIN_HOOK_FAILED';
            return { score: null, status: 'infra_error', components: {}, durationMs: performance.now() - start, error: { code, message: (error as Error)?.message ?? String(error) } };
          }
        },
        async teardown() {
          // teardown runs in every thread when the pool is destroyed (tinypool's teardown export)
        },
      };
    },
    async destroy() {
      await pool.destroy();
    },
  };
}
