// startWorkerPool: worker threads for plugin code (the sandbox stays on the main thread, served per task).
// A thread that crashes (a fault outside any hook, out of memory, process.exit) or blocks in synchronous code
// is stopped and replaced; the samples it was scoring are scored again, each alone in a fresh thread, so a
// fault is charged to the sample that causes it (plugin_error) and never to the innocent ones beside it.
import { MessageChannel, Worker } from 'node:worker_threads';
import { MolrlError } from '@molrl/common';
import type { Sandbox } from '@molrl/sandbox';
import { errors } from '../errors.ts';
import type { RewardLogger, RewardResult, RewardSample } from '../types.ts';
import type { PluginFault } from './plugin-scope.ts';
import { serveSandbox } from './sandbox-proxy.ts';
import { failedResult, type ScoreLimits } from './score-sample.ts';
import type { FromScoreWorker, ToScoreWorker, WorkerInit } from './score-worker.ts';

/** The worker file next to this one: .ts when running from sources (tests, --conditions=molrl-src), .js from dist. */
const WORKER_FILE = new URL(`./score-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);

/**
 * Node flags for the threads: the process's own (the default), unless it was started with its entry as a
 * string (`node --input-type=module -e ...`), whose flags a thread with a file entry refuses: then only the
 * flags that matter to module loading and warnings.
 */
const WORKER_EXEC_ARGV = process.execArgv.some((a) => /^--(input-type|eval|print)(=|$)|^-[ep]$/.test(a))
  ? process.execArgv.filter((a) => /^--(conditions|disable-warning|no-warnings|experimental-|import|require|enable-source-maps)/.test(a) || /^-C/.test(a))
  : undefined;

/** Isolated threads running at once (each re-scores one sample whose shared thread was lost). */
const ISOLATION_SLOTS = 2;
/** How long close() lets a thread answer the aborts of its pending samples before stopping it. */
const DRAIN_MS = 1000;

/** Settings of a pool. */
export interface WorkerPoolOptions {
  threads: number;
  /** Samples in flight over all threads. */
  concurrency: number;
  /** Heap limit of each thread, MB. */
  memoryMb: number;
  init: WorkerInit;
  sandbox: Sandbox;
  /** The logger of a plugin (by key), or the engine's for null. */
  logger(key: number | null): RewardLogger;
  /** A fault of plugin code after its hook settled (reported, counted by the engine). */
  onLateFault(fault: PluginFault): void;
}

/** A running pool. */
export interface WorkerPool {
  /** Scores `sample` with plugin `key`; rejects only with REWARD_ABORTED. */
  score(key: number, sample: RewardSample, limits: ScoreLimits): Promise<RewardResult>;
  /** Aborted samples drain, teardown runs in every thread that is not blocked, then every thread stops. Returns teardown failures. */
  close(error?: unknown): Promise<Error[]>;
}

/** A thread went away while it held the task. */
class WorkerLost extends Error {
  readonly stuck: boolean;
  constructor(message: string, stuck: boolean) {
    super(message);
    this.stuck = stuck;
  }
}

interface Pending {
  resolve(result: RewardResult): void;
  reject(error: Error): void;
  settled: boolean;
  stop(): void;
  timer: NodeJS.Timeout;
}

/** Time after which a thread that has not answered a score task is considered blocked. */
const graceOf = (limits: ScoreLimits) => limits.timeoutMs * (limits.retries + 1) + 10 * 2 ** (limits.retries + 1) + Math.min(5_000, limits.timeoutMs);

/** One worker thread and the score tasks it holds. */
class Thread {
  readonly worker: Worker;
  readonly pending = new Map<number, Pending>();
  readonly ready: Promise<void>;
  isReady = false;
  lost: WorkerLost | null = null;
  #closing = false;
  #next = 0;
  #failReady: (error: Error) => void = () => {};
  #tornDown: ((errors: string[]) => void) | null = null;
  readonly #onLost: (thread: Thread) => void;

  readonly o: WorkerPoolOptions;

  readonly #onSettled: () => void;

  constructor(o: WorkerPoolOptions, onLost: (thread: Thread) => void, onSettled: () => void = () => {}) {
    this.o = o;
    this.#onLost = onLost;
    this.#onSettled = onSettled;
    this.worker = new Worker(WORKER_FILE, { workerData: o.init, ...(WORKER_EXEC_ARGV ? { execArgv: WORKER_EXEC_ARGV } : {}), resourceLimits: { maxOldGenerationSizeMb: o.memoryMb }, stdout: true });
    this.worker.stdout.pipe(process.stderr); // plugin output never mixes into a command's results on stdout
    let ready: () => void = () => {};
    this.ready = new Promise<void>((resolve, reject) => {
      ready = resolve;
      this.#failReady = reject;
    });
    this.ready.catch(() => {});
    this.worker.on('message', (m: FromScoreWorker) => {
      if (m.type === 'ready') {
        this.isReady = true;
        ready();
      } else if (m.type === 'setup-failed') {
        const { code, message, ...fields } = m.error;
        this.#failReady(new MolrlError(code, message, fields));
      }
      else if (m.type === 'result' || m.type === 'aborted') this.#settle(m.id, m.type === 'result' ? m.result : null);
      else if (m.type === 'late-fault') o.onLateFault(m.fault);
      else if (m.type === 'torn-down') this.#tornDown?.(m.errors);
    });
    this.worker.on('error', (error: Error & { code?: string }) => {
      const why = error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? `it ran out of memory (heap limit ${o.memoryMb} MB, the engine's workerMemoryMb)` : `${error.name}: ${error.message}`;
      this.#lose(new WorkerLost(why, false));
    });
    this.worker.on('exit', (code) => this.#lose(new WorkerLost(`it exited with code ${code}`, false)));
    const { port1, port2 } = new MessageChannel();
    const stop = serveSandbox(port1, o.sandbox, o.logger(null));
    void this.ready.then(stop, stop);
    this.worker.postMessage({ type: 'setup', port: port2 } satisfies ToScoreWorker, [port2]);
  }

  /** Sends one score task; rejects with WorkerLost when the thread goes away first. */
  run(key: number, sample: RewardSample, limits: ScoreLimits): Promise<RewardResult> {
    if (this.lost) return Promise.reject(this.lost);
    const id = this.#next++;
    const { port1, port2 } = new MessageChannel();
    const stopPort = serveSandbox(port1, this.o.sandbox, this.o.logger(key));
    return new Promise<RewardResult>((resolve, reject) => {
      const onAbort = () => {
        const p = this.pending.get(id);
        if (p && !p.settled) {
          p.settled = true;
          reject(errors.REWARD_ABORTED(limits.signal?.reason));
        }
        this.worker.postMessage({ type: 'abort', id, reason: String((limits.signal?.reason as Error)?.message ?? limits.signal?.reason) } satisfies ToScoreWorker);
      };
      const grace = graceOf(limits);
      const entry: Pending = {
        resolve,
        reject,
        settled: false,
        stop: () => {
          limits.signal?.removeEventListener('abort', onAbort);
          stopPort();
        },
        timer: setTimeout(() => this.kill(new WorkerLost(`hook score of sample ${JSON.stringify(sample.id)} did not answer within ${grace} ms`, true)), grace),
      };
      this.pending.set(id, entry);
      limits.signal?.addEventListener('abort', onAbort, { once: true });
      this.worker.postMessage({ type: 'score', id, key, sample, limits: { timeoutMs: limits.timeoutMs, retries: limits.retries }, port: port2 } satisfies ToScoreWorker, [port2]);
    });
  }

  #settle(id: number, result: RewardResult | null): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    clearTimeout(p.timer);
    p.stop();
    this.#onSettled();
    if (p.settled) return;
    p.settled = true;
    if (result) p.resolve(result);
    else p.reject(errors.REWARD_ABORTED('cancelled'));
  }

  #lose(reason: WorkerLost): void {
    if (this.lost || this.#closing) return;
    this.lost = reason;
    this.#failReady(reason);
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.stop();
      if (!p.settled) {
        p.settled = true;
        p.reject(reason);
      }
    }
    this.pending.clear();
    this.#onLost(this);
  }

  /** Stops the thread now; its pending tasks reject with `reason`. */
  kill(reason: WorkerLost): void {
    this.#lose(reason);
    void this.worker.terminate();
  }

  /** Lets pending tasks drain, runs teardown (bounded), stops the thread; returns teardown failures. */
  async close(error: unknown, hookTimeoutMs: number): Promise<string[]> {
    if (this.lost) return [];
    for (let waited = 0; this.pending.size > 0 && waited < DRAIN_MS; waited += 50) await new Promise((r) => setTimeout(r, 50));
    if (this.pending.size > 0 || !this.isReady) {
      this.kill(new WorkerLost('the engine closed', false));
      return [];
    }
    const { port1, port2 } = new MessageChannel();
    const stop = serveSandbox(port1, this.o.sandbox, this.o.logger(null));
    let timer: NodeJS.Timeout | undefined;
    const failures = await new Promise<string[]>((resolve) => {
      this.#tornDown = resolve;
      timer = setTimeout(() => resolve([`teardown did not finish within ${hookTimeoutMs} ms (the engine's hookTimeoutMs); its worker thread was stopped`]), hookTimeoutMs);
      this.worker.postMessage({ type: 'teardown', ...(error === undefined ? {} : { error: String((error as Error)?.message ?? error) }), port: port2 } satisfies ToScoreWorker, [port2]);
    });
    clearTimeout(timer);
    stop();
    this.#closing = true;
    await this.worker.terminate();
    return failures;
  }
}

/** Starts `threads` worker threads, each running every module plugin's setup; rejects with the first setup failure. */
export async function startWorkerPool(o: WorkerPoolOptions): Promise<WorkerPool> {
  const perThread = Math.max(1, Math.ceil(o.concurrency / o.threads));
  const shared = new Set<Thread>();
  const isolated = new Set<Thread>();
  const queue: { key: number; sample: RewardSample; limits: ScoreLimits; resolve(r: RewardResult): void; reject(e: Error): void }[] = [];
  let slots = ISOLATION_SLOTS;
  const waitingSlots: (() => void)[] = [];
  let started = false;
  let closing = false;
  let broken: Error | null = null;
  let setupLosses = 0;

  const nameOf = (key: number) => o.init.plugins.find((p) => p.key === key)?.name ?? `plugin #${key}`;
  const names = o.init.plugins.map((p) => p.name).join(', ');

  const dispatch = () => {
    while (queue.length > 0) {
      let best: Thread | null = null;
      for (const t of shared) if (t.isReady && !t.lost && t.pending.size < perThread && (!best || t.pending.size < best.pending.size)) best = t;
      if (!best) return;
      const q = queue.shift()!;
      best.run(q.key, q.sample, q.limits).then(q.resolve, q.reject);
    }
  };
  const breakPool = (error: Error) => {
    broken ??= error;
    for (const q of queue.splice(0)) q.reject(broken);
  };
  const spawn = () => {
    const t = new Thread(o, (lost) => {
      shared.delete(lost);
      if (!lost.isReady && ++setupLosses >= 3) breakPool(errors.PLUGIN_CRASHED(names, 'setup', undefined, lost.lost?.message ?? 'unknown'));
      if (started && !closing && !broken) spawn();
    }, () => queueMicrotask(dispatch));
    shared.add(t);
    t.ready.then(
      () => {
        setupLosses = 0;
        dispatch();
      },
      (error: Error) => {
        if (started && !(error instanceof WorkerLost)) breakPool(error);
      },
    );
    return t;
  };

  const first = Array.from({ length: o.threads }, spawn);
  try {
    await Promise.all(first.map((t) => t.ready));
  } catch (error) {
    closing = true;
    for (const t of shared) t.kill(new WorkerLost('setup failed', false));
    throw error instanceof WorkerLost ? errors.PLUGIN_CRASHED(names, 'setup', undefined, error.message) : error;
  }
  started = true;

  const onShared = (key: number, sample: RewardSample, limits: ScoreLimits) =>
    new Promise<RewardResult>((resolve, reject) => {
      queue.push({ key, sample, limits, resolve, reject });
      dispatch();
    });

  const onIsolated = async (key: number, sample: RewardSample, limits: ScoreLimits): Promise<RewardResult> => {
    if (slots === 0) await new Promise<void>((r) => waitingSlots.push(r));
    else slots--;
    const t = new Thread(o, () => isolated.delete(t));
    isolated.add(t);
    try {
      await t.ready;
      return await t.run(key, sample, limits);
    } finally {
      isolated.delete(t);
      void t.close(undefined, Math.min(o.init.hookTimeoutMs, 10_000));
      const next = waitingSlots.shift();
      if (next) next();
      else slots++;
    }
  };

  return {
    async score(key, sample, limits) {
      if (limits.signal?.aborted) throw errors.REWARD_ABORTED(limits.signal.reason);
      const start = performance.now();
      let lost: WorkerLost;
      try {
        if (broken) throw broken;
        return await onShared(key, sample, limits);
      } catch (error) {
        if (!(error instanceof WorkerLost)) {
          if (error instanceof MolrlError && error.code !== 'REWARD_ABORTED') return failedResult('plugin_error', error, start, error.hook ?? 'setup');
          throw error;
        }
        lost = error;
      }
      o.logger(key).warn(`the worker thread scoring sample ${JSON.stringify(sample.id)} was lost (${lost.message}); scoring it again alone`);
      try {
        return await onIsolated(key, sample, limits);
      } catch (error) {
        if (!(error instanceof WorkerLost)) {
          if (error instanceof MolrlError && error.code !== 'REWARD_ABORTED') return failedResult('plugin_error', error, start, error.hook ?? 'setup');
          throw error;
        }
        const fault = error.stuck
          ? errors.PLUGIN_TIMEOUT(nameOf(key), 'score', graceOf(limits), ' and never yielded (blocked in synchronous code); its worker thread was stopped')
          : errors.PLUGIN_CRASHED(nameOf(key), 'score', sample.id, error.message);
        return failedResult('plugin_error', fault, start);
      }
    },
    async close(error) {
      closing = true;
      const all = [...shared, ...isolated];
      const failures = await Promise.all(all.map((t) => t.close(error, o.init.hookTimeoutMs)));
      return failures.flat().map((m) => new Error(m));
    },
  };
}
