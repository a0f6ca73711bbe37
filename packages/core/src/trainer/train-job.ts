// runTrainJob: starts (or reaches) the policy server, runs the job's phases in order with checkpoints, resumes a run.
import { isMolrlError } from '@molrl/common';
import { defaultPython, type PolicyServerHandle } from '@molrl/policy-client';
import { basename } from 'node:path';
import type { JobConfig, PhaseConfig } from '../config/job-config-types.ts';
import { validateJobConfig } from '../config/load-job-config.ts';
import { loadDatasets } from '../dataset/load-dataset.ts';
import { errors } from '../errors.ts';
import { createRewardEngine } from '../rewards/reward-engine.ts';
import { lazySandbox } from '../rewards/lazy-sandbox.ts';
import { RunStore, type RunState } from '../run-store/run-store.ts';
import { startTrackers } from '../trackers/tracker-sink.ts';
import type { PluginCatalog, RewardEngine } from '../types.ts';
import type { MetricsRecord, PhaseContext, PhaseProgress, TrainLogger } from './phase-context.ts';
import { connectServer, guardClient } from './connect-server.ts';
import { runPhase } from './run-phase.ts';
import { runEval } from './run-eval.ts';
import { meterSandbox, type SandboxUsage } from './sandbox-meter.ts';
import { stepSeed } from './seeded-random.ts';

/** Options of runTrainJob: a new run (`config`) or a resumed one (`resume`). */
export interface TrainJobOptions {
  /** A validated job config (new run). */
  config?: JobConfig;
  /** Run name when the config has none. @default 'run' */
  name?: string;
  /** Run directory to resume. */
  resume?: string;
  /** Built-in reward plugins the config may name (`builtinPlugins` of @molrl/plugins). */
  builtins?: PluginCatalog;
  /**
   * Interrupts the run: generation and scoring stop, a training step already sent and its eval finish (the
   * server may have applied the step), the last finished step is checkpointed, and the run resolves with
   * status 'interrupted'.
   */
  signal?: AbortSignal;
  logger?: TrainLogger;
  /**
   * Called once the run directory exists (and is locked); `sandbox()` reads the sandbox use at any time (for a
   * live view); `repaired` lists half-written checkpoints removed on resume.
   */
  onStart?(info: { runDir: string; resumed: RunState | null; sandbox(): SandboxUsage; repaired: string[] }): void;
  /** Each metrics line, as appended to metrics.jsonl. */
  onMetrics?(record: MetricsRecord): void;
  onProgress?(phaseIndex: number, phase: PhaseConfig, update: PhaseProgress): void;
  /** Each eval's metrics line. */
  onEval?(record: MetricsRecord): void;
  /** Lines the policy server logs. */
  onServerLog?(line: string): void;
  /** Called once the policy server answers; `pid` is set when the run started it (and stops it at the end). */
  onServer?(info: { url: string; pid: number | null }): void;
}

/** What a finished (or interrupted) run reports. */
export interface TrainJobResult {
  runDir: string;
  status: 'finished' | 'interrupted';
  /** Every eval line of this invocation, in order. */
  evals: MetricsRecord[];
  durationMs: number;
}

const quietLogger: TrainLogger = { info: (m) => process.stderr.write(`${m}\n`), warn: (m) => process.stderr.write(`warning: ${m}\n`) };

/** The coded error a failure of the policy server becomes (with the resume command), or null when it is not one. */
function serverFault(error: unknown, runDir: string, timeoutMs: number): Error | null {
  if (!isMolrlError(error)) return null;
  if (error.code === 'TRAIN_SERVER_DIED') return error;
  const endpoint = String(error.details?.endpoint ?? 'a request');
  if (/^POLICY_SERVER_(UNREACHABLE|EXITED)$/.test(error.code)) return errors.TRAIN_SERVER_DIED(runDir, error);
  if (error.code === 'POLICY_SERVER_TIMEOUT') return errors.TRAIN_SERVER_UNRESPONSIVE(runDir, endpoint, (error.details?.timeoutMs as number) ?? timeoutMs);
  // a data-parallel server that lost a rank answers RANK_FAILED and stops, as a dead server would
  if (error.code === 'POLICY_SERVER_ERROR' && error.details?.serverCode === 'RANK_FAILED') return errors.TRAIN_SERVER_DIED(runDir, error);
  if (error.code === 'POLICY_PROTOCOL_INVALID' || (error.code === 'POLICY_SERVER_ERROR' && ((error.details?.status as number) ?? 0) >= 500)) return errors.TRAIN_SERVER_FAILED(runDir, endpoint, error);
  if (error.code === 'POLICY_SERVER_ERROR' && error.details?.serverCode === 'CHECKPOINT_WRITE_FAILED') return errors.RUN_STORE_WRITE_FAILED(runDir, String(error.details?.endpoint ?? 'checkpoint'), error);
  return null;
}

/**
 * Runs (or resumes) a training job to its end, holding the run directory's lock. Throws TRAIN_SERVER_DIED,
 * TRAIN_SERVER_UNRESPONSIVE or TRAIN_SERVER_FAILED (each with the resume command) when the policy server
 * fails, RUN_STORE_WRITE_FAILED when the run directory cannot be written.
 */
export async function runTrainJob(opts: TrainJobOptions): Promise<TrainJobResult> {
  const start = performance.now();
  const logger = opts.logger ?? quietLogger;
  let store: RunStore;
  let state: RunState | null = null;
  let config: JobConfig;
  let repaired: string[] = [];
  if (opts.resume) {
    const resumed = RunStore.resume(opts.resume);
    store = resumed.store;
    state = resumed.state;
    repaired = resumed.repaired;
    try {
      config = validateJobConfig(resumed.config, store.dir);
    } catch (error) {
      store.close();
      throw error;
    }
  } else {
    if (!opts.config) throw new TypeError('runTrainJob needs `config` or `resume`');
    config = opts.config;
    store = RunStore.create(config.runsDir, config.name ?? opts.name ?? 'run', config);
  }
  try {
    for (const dir of repaired) logger.info(`removed ${dir}: a checkpoint whose writing was cut short`);
    return await train(opts, store, state, config, logger, start, repaired);
  } finally {
    store.close();
  }
}

async function train(opts: TrainJobOptions, store: RunStore, state: RunState | null, config: JobConfig, logger: TrainLogger, start: number, repaired: string[]): Promise<TrainJobResult> {
  const sandboxCapacity = config.sandbox.backend === 'docker' ? (config.sandbox.docker?.poolSize ?? null) : config.sandbox.backend === 'isolated-vm' ? (config.sandbox.isolatedVm?.isolates ?? null) : null;
  const meter = meterSandbox(lazySandbox(config.sandbox), sandboxCapacity);
  opts.onStart?.({ runDir: store.dir, resumed: state, sandbox: meter.usage, repaired });
  if (state?.finished) return { runDir: store.dir, status: 'finished', evals: [], durationMs: 0 };
  const trackers = startTrackers(config.logging, { runDir: store.dir, runName: basename(store.dir), config, resumeStep: state ? state.globalStep : null, python: config.server.start?.python ?? defaultPython(), warn: (m) => logger.warn(m), info: (m) => logger.info(m) });

  const hard = new AbortController(); // the server died: everything stops now
  const signal = opts.signal ? AbortSignal.any([opts.signal, hard.signal]) : hard.signal; // also Ctrl-C: stop between steps
  const timeoutMs = config.server.timeoutMs ?? 600_000;
  let server: PolicyServerHandle | null = null;
  let serverDied: unknown = null;
  let engine: RewardEngine | null = null;
  let enginePromise: Promise<RewardEngine> | null = null;
  const evals: MetricsRecord[] = [];
  try {
    const connected = await connectServer(config, { signal, checkpointRoot: store.dir, ...(opts.onServerLog ? { onLog: opts.onServerLog } : {}) });
    const client = guardClient(connected.client, { hard: hard.signal, timeoutMs });
    server = connected.handle;
    opts.onServer?.({ url: connected.client.url, pid: server?.pid ?? null });
    void server?.exited.then((how) => {
      if (hard.signal.aborted) return;
      serverDied = new Error(`exited with ${how.signal ? `signal ${how.signal}` : `code ${how.code}`}`);
      hard.abort(serverDied);
    });
    if (state?.checkpoint) {
      await client.loadCheckpoint({ path: state.checkpoint });
      logger.info(`resumed from ${state.checkpoint} (phase ${state.phase + 1}, step ${state.stepInPhase})`);
    }
    const data = loadDatasets(config.dataset);
    const rewards = () => {
      enginePromise ??= createRewardEngine(
        { rewards: config.rewards, sandbox: meter.sandbox },
        {
          concurrency: config.scoring.concurrency,
          sampleTimeoutMs: config.scoring.sampleTimeoutMs,
          retries: config.scoring.retries,
          hookTimeoutMs: config.scoring.hookTimeoutMs,
          maxPluginErrors: config.scoring.maxPluginErrors,
          ...(config.scoring.workers === undefined ? {} : { workers: config.scoring.workers === 0 ? false : config.scoring.workers }),
          runDir: store.dir,
          builtins: opts.builtins,
          logger: { debug() {}, info() {}, warn: (m) => logger.warn(m), error: (m) => logger.warn(m) },
        },
      ).then((e) => (engine = e));
      return enginePromise;
    };

    let globalStep = state?.globalStep ?? 0;
    for (let i = state?.phase ?? 0; i < config.phases.length; i++) {
      const phase = config.phases[i];
      const steps = (phase as { steps: number }).steps;
      const startStep = i === state?.phase ? state.stepInPhase : 0;
      const offset = globalStep - startStep;
      const every = phase.checkpointEvery ?? config.checkpoint.every;
      let lastDone = startStep;
      const checkpoint = async (stepInPhase: number) => {
        const atEnd = stepInPhase >= steps;
        const dir = store.checkpointDir(offset + stepInPhase);
        await client.saveCheckpoint({ path: dir });
        store.writeState({ phase: atEnd ? i + 1 : i, stepInPhase: atEnd ? 0 : stepInPhase, globalStep: offset + stepInPhase, checkpoint: dir, finished: atEnd && i === config.phases.length - 1 });
      };
      const ctx: PhaseContext = {
        client,
        runDir: store.dir,
        config,
        phaseIndex: i,
        startStep,
        globalStepOffset: offset,
        data,
        rewards,
        logMetrics: (stepInPhase, record) => {
          const line = { step: offset + stepInPhase, phase: i, phaseType: phase.type, ...record, time: new Date().toISOString() };
          store.appendMetrics([line]);
          trackers.log(line);
          opts.onMetrics?.(line);
        },
        logSamples: (records) => store.appendSamples(records),
        endStep: async (stepInPhase) => {
          lastDone = stepInPhase;
          if (stepInPhase >= steps || (every > 0 && stepInPhase % every === 0)) await checkpoint(stepInPhase);
        },
        checkpoint,
        // An eval, once started, finishes on Ctrl-C (only a dead server stops it): it belongs to its step.
        evaluate: async (stepInPhase) => {
          if (!config.eval) return null;
          const record = await runEval(client, await rewards(), data.eval, config.eval, { seed: stepSeed(config.seed, 999, 0), step: offset + stepInPhase, dedupe: config.scoring.dedupe, signal: hard.signal, ...(config.dataset.chatTemplateKwargs ? { chatTemplateKwargs: config.dataset.chatTemplateKwargs } : {}) });
          ctx.logMetrics(stepInPhase, record);
          const line = { step: offset + stepInPhase, phase: i, ...record };
          evals.push(line);
          opts.onEval?.(line);
          return record;
        },
        signal,
        progress: (update) => opts.onProgress?.(i, phase, update),
        logger,
      };
      if (startStep === 0 && i === 0 && !state) await writeInitialState(store, i);
      try {
        await runPhase(ctx, phase);
      } catch (error) {
        if (!signal.aborted) throw error;
      }
      if (signal.aborted) {
        if (serverDied || hard.signal.aborted) throw errors.TRAIN_SERVER_DIED(store.dir, serverDied ?? hard.signal.reason);
        if (lastDone > startStep && lastDone < steps) await checkpoint(lastDone);
        return { runDir: store.dir, status: 'interrupted', evals, durationMs: performance.now() - start };
      }
      globalStep = offset + steps;
    }
    return { runDir: store.dir, status: 'finished', evals, durationMs: performance.now() - start };
  } catch (error) {
    if (serverDied) throw errors.TRAIN_SERVER_DIED(store.dir, serverDied);
    throw serverFault(error, store.dir, timeoutMs) ?? error;
  } finally {
    hard.abort();
    const pendingEngine = enginePromise as Promise<RewardEngine> | null;
    if (pendingEngine) await pendingEngine.then((e) => e.close()).catch(() => {});
    await meter.sandbox.close().catch(() => {});
    await server?.stop();
    await trackers.close();
  }
}

/** A state.json before the first checkpoint: resuming starts the job from scratch (metrics truncated to 0 lines). */
async function writeInitialState(store: RunStore, phase: number): Promise<void> {
  store.writeState({ phase, stepInPhase: 0, globalStep: 0, checkpoint: null, finished: false });
}
