// Worker-thread entry of the reward engine (tinypool): loads plugins once per thread and scores samples.
import { threadId, type MessagePort } from 'node:worker_threads';
import type { BackendName } from '@molrl/sandbox';
import { importPluginSource, type PluginSource } from '../plugins/load-plugin.ts';
import { runHook } from '../plugins/run-hook.ts';
import { validatePlugin } from '../plugins/validate-plugin.ts';
import type { RewardContext, RewardPlugin, RewardResult, RewardSample } from '../types.ts';
import { stderrLogger } from './default-logger.ts';
import { portLogger, portSandbox, type ToWorker } from './sandbox-proxy.ts';
import { scoreWithRetries } from './score-sample.ts';

/** One task sent to a worker. */
export interface WorkerTask {
  op: 'setup' | 'score';
  /** Identifies a configured plugin (index in the config). */
  key: number;
  source: PluginSource;
  name: string;
  options: Record<string, unknown>;
  backend: BackendName;
  step: number;
  runDir?: string;
  hookTimeoutMs: number;
  sample?: RewardSample;
  limits?: { timeoutMs: number; retries: number };
  port: MessagePort;
}

interface Loaded {
  plugin: RewardPlugin;
  ctx: Omit<RewardContext, 'signal' | 'sandbox' | 'logger'> & { backend: BackendName };
}

const plugins = new Map<number, Promise<Loaded>>();

async function load(task: WorkerTask, ctx: Omit<RewardContext, 'signal'>): Promise<Loaded> {
  let p = plugins.get(task.key);
  if (!p) {
    p = (async () => {
      const plugin = validatePlugin(await importPluginSource(task.source), 'plugin', task.name);
      if (plugin.setup) await runHook(task.name, 'setup', (signal) => plugin.setup?.({ ...ctx, signal }), { timeoutMs: task.hookTimeoutMs });
      return { plugin, ctx: { options: ctx.options, step: task.step, runDir: task.runDir, backend: task.backend } };
    })();
    plugins.set(task.key, p);
  }
  return p;
}

/** Runs one task; resolves to `{ result, threadId }` (score) or `{ threadId }` (setup); setup errors reject. */
export default async function run(task: WorkerTask): Promise<{ result?: RewardResult; threadId: number }> {
  const port = task.port;
  const controller = new AbortController();
  port.on('message', (m: ToWorker) => {
    if (m.type === 'abort') controller.abort(m.reason);
  });
  try {
    const ctx = { options: task.options, sandbox: portSandbox(port, task.backend), logger: portLogger(port), step: task.step, runDir: task.runDir };
    const loaded = await load(task, ctx);
    if (task.op === 'setup') return { threadId };
    const result = await scoreWithRetries(loaded.plugin, task.name, task.sample!, { ...ctx, step: task.sample!.step ?? task.step }, { ...task.limits!, signal: controller.signal });
    return { result, threadId };
  } finally {
    port.close();
  }
}

/** tinypool teardown: runs every loaded plugin's teardown in this thread; never throws (errors go to stderr). */
export async function teardown(): Promise<void> {
  await Promise.all(
    [...plugins.values()].map(async (p) => {
      try {
        const { plugin, ctx } = await p;
        const full = { ...ctx, sandbox: { backend: ctx.backend, run: async () => { throw new Error('sandbox is closed during teardown'); }, close: async () => {} }, logger: stderrLogger };
        if (plugin.teardown) await runHook(plugin.name, 'teardown', (signal) => plugin.teardown?.({ ...full, signal }), { timeoutMs: 60_000 });
      } catch (error) {
        stderrLogger.error((error as Error).message);
      }
    }),
  );
  plugins.clear();
}
