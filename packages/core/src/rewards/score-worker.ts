// Worker-thread entry of the reward engine: loads the plugins once, runs their setup, scores samples as the
// main thread asks (several at once), runs teardown when told. Plugin faults are attributed here (plugin
// scope); a fault outside any hook ends the thread, and the main thread re-scores its samples in isolation.
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { isMolrlError } from '@molrl/common';
import type { BackendName } from '@molrl/sandbox';
import { importPluginSource, type PluginSource } from '../plugins/load-plugin.ts';
import { validatePlugin } from '../plugins/validate-plugin.ts';
import type { RewardContext, RewardPlugin, RewardResult, RewardSample } from '../types.ts';
import { runLifecycleHook } from './plugin-scorer.ts';
import { installPluginFaultHandlers, onLateFault, runInPluginScope, type PluginFault } from './plugin-scope.ts';
import { portLogger, portSandbox } from './sandbox-proxy.ts';
import { scoreWithRetries } from './score-sample.ts';

/** One plugin a worker loads. */
export interface WorkerPlugin {
  /** Index in the config. */
  key: number;
  source: PluginSource;
  name: string;
  options: Record<string, unknown>;
}

/** What every worker gets at start (workerData). */
export interface WorkerInit {
  plugins: WorkerPlugin[];
  backend: BackendName;
  step: number;
  runDir?: string;
  hookTimeoutMs: number;
}

/** Messages from the main thread to a worker. */
export type ToScoreWorker =
  | { type: 'setup'; port: MessagePort }
  | { type: 'score'; id: number; key: number; sample: RewardSample; limits: { timeoutMs: number; retries: number }; port: MessagePort }
  | { type: 'abort'; id: number; reason: string }
  | { type: 'teardown'; error?: string; port: MessagePort };

/** Messages from a worker to the main thread. */
export type FromScoreWorker =
  | { type: 'ready' }
  | { type: 'setup-failed'; error: { code: string; message: string; plugin?: string; hook?: string; details?: Record<string, unknown> } }
  | { type: 'result'; id: number; result: RewardResult }
  | { type: 'aborted'; id: number }
  | { type: 'late-fault'; fault: PluginFault }
  | { type: 'torn-down'; errors: string[] };

const init = workerData as WorkerInit;
const port = parentPort!;
const loaded = new Map<number, { plugin: RewardPlugin; spec: WorkerPlugin }>();
const running = new Map<number, AbortController>();

installPluginFaultHandlers();
onLateFault((fault) => port.postMessage({ type: 'late-fault', fault } satisfies FromScoreWorker));

function context(spec: WorkerPlugin, channel: MessagePort, step = init.step): Omit<RewardContext, 'signal'> {
  return { options: spec.options, sandbox: portSandbox(channel, init.backend), logger: portLogger(channel), step, runDir: init.runDir };
}

async function setup(channel: MessagePort): Promise<void> {
  try {
    for (const spec of init.plugins) {
      const plugin = validatePlugin(await runInPluginScope({ plugin: spec.name, hook: 'import' }, () => importPluginSource(spec.source)), 'plugin', spec.name);
      loaded.set(spec.key, { plugin, spec });
      await runLifecycleHook(plugin, spec.name, 'setup', context(spec, channel), init.hookTimeoutMs);
    }
    port.postMessage({ type: 'ready' } satisfies FromScoreWorker);
  } catch (error) {
    const e = error as { code?: string; message?: string; plugin?: string; hook?: string; details?: Record<string, unknown> };
    const details = isMolrlError(error) && error.details ? (JSON.parse(JSON.stringify(error.details)) as Record<string, unknown>) : undefined;
    port.postMessage({ type: 'setup-failed', error: { code: isMolrlError(error) ? error.code : 'PLUGIN_HOOK_FAILED', message: e?.message ?? String(error), ...(e?.plugin ? { plugin: e.plugin } : {}), ...(e?.hook ? { hook: e.hook } : {}), ...(details ? { details } : {}) } } satisfies FromScoreWorker);
  } finally {
    channel.close();
  }
}

async function score(m: Extract<ToScoreWorker, { type: 'score' }>): Promise<void> {
  const controller = new AbortController();
  running.set(m.id, controller);
  try {
    const { plugin, spec } = loaded.get(m.key)!;
    const result = await scoreWithRetries(plugin, spec.name, m.sample, context(spec, m.port, m.sample.step ?? init.step), { ...m.limits, signal: controller.signal });
    port.postMessage({ type: 'result', id: m.id, result } satisfies FromScoreWorker);
  } catch (error) {
    if (!(isMolrlError(error) && error.code === 'REWARD_ABORTED')) throw error;
    port.postMessage({ type: 'aborted', id: m.id } satisfies FromScoreWorker);
  } finally {
    running.delete(m.id);
    m.port.close();
  }
}

async function teardown(m: Extract<ToScoreWorker, { type: 'teardown' }>): Promise<void> {
  const failures: string[] = [];
  await Promise.all(
    [...loaded.values()].map(({ plugin, spec }) =>
      runLifecycleHook(plugin, spec.name, 'teardown', context(spec, m.port), init.hookTimeoutMs, m.error === undefined ? undefined : new Error(m.error)).catch((error: unknown) => {
        failures.push((error as Error)?.message ?? String(error));
      }),
    ),
  );
  m.port.close();
  port.postMessage({ type: 'torn-down', errors: failures } satisfies FromScoreWorker);
}

port.on('message', (m: ToScoreWorker) => {
  if (m.type === 'setup') void setup(m.port);
  else if (m.type === 'score') void score(m);
  else if (m.type === 'abort') running.get(m.id)?.abort(new Error(m.reason));
  else if (m.type === 'teardown') void teardown(m);
});

