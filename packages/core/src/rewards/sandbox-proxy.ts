// The sandbox across threads: a worker-side Sandbox that forwards runs over a MessagePort, and the main-side server.
import type { MessagePort } from 'node:worker_threads';
import type { BackendName, RunOptions, RunRequest, RunResult, Sandbox } from '@molrl/sandbox';
import type { RewardLogger } from '../types.ts';

/** Messages from a worker task to the main thread. */
export type ToMain =
  | { type: 'run'; id: number; req: RunRequest }
  | { type: 'cancel'; id: number }
  | { type: 'log'; level: keyof RewardLogger; message: string; data?: Record<string, unknown> };
/** Messages from the main thread to a worker task. */
export type ToWorker = { type: 'result'; id: number; result: RunResult } | { type: 'abort'; reason: string };

/** Worker side: a Sandbox whose runs execute in the main thread's sandbox (the pool stays in one place). */
export function portSandbox(port: MessagePort, backend: BackendName): Sandbox {
  let next = 0;
  const pending = new Map<number, (r: RunResult) => void>();
  port.on('message', (m: ToWorker) => {
    if (m.type === 'result') {
      pending.get(m.id)?.(m.result);
      pending.delete(m.id);
    }
  });
  return {
    backend,
    run(req: RunRequest, opts?: RunOptions): Promise<RunResult> {
      const id = next++;
      return new Promise((resolve) => {
        pending.set(id, resolve);
        port.postMessage({ type: 'run', id, req } satisfies ToMain);
        opts?.signal?.addEventListener('abort', () => port.postMessage({ type: 'cancel', id } satisfies ToMain), { once: true });
      });
    },
    async close() {},
  };
}

/** Worker side: a logger that forwards to the main thread's logger. */
export function portLogger(port: MessagePort): RewardLogger {
  const send = (level: keyof RewardLogger) => (message: string, data?: Record<string, unknown>) => port.postMessage({ type: 'log', level, message, data } satisfies ToMain);
  return { debug: send('debug'), info: send('info'), warn: send('warn'), error: send('error') };
}

/** Main side: answers one task's port: runs in `sandbox`, cancels on request, forwards logs. Returns a stop function. */
export function serveSandbox(port: MessagePort, sandbox: Sandbox, logger: RewardLogger): () => void {
  const runs = new Map<number, AbortController>();
  port.on('message', (m: ToMain) => {
    if (m.type === 'run') {
      const controller = new AbortController();
      runs.set(m.id, controller);
      sandbox
        .run(m.req, { signal: controller.signal })
        .catch((error: unknown): RunResult => ({
          status: 'sandbox_error', exitCode: null, signal: null, stdout: '', stderr: '', truncated: false, durationMs: 0,
          error: { code: (error as { code?: string })?.code ?? 'SANDBOX_ERROR', message: (error as Error)?.message ?? String(error) },
        }))
        .then((result) => {
          runs.delete(m.id);
          try {
            port.postMessage({ type: 'result', id: m.id, result } satisfies ToWorker);
          } catch {
            // the task already ended and closed its port
          }
        });
    } else if (m.type === 'cancel') runs.get(m.id)?.abort();
    else if (m.type === 'log') logger[m.level](m.message, m.data);
  });
  return () => {
    for (const c of runs.values()) c.abort();
    port.close();
  };
}
