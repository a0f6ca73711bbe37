// The isolated-vm backend: JavaScript in reused V8 isolates, a new context per evaluation, nothing host-side inside.
import type * as IvmModule from 'isolated-vm';
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { errors } from '../errors.ts';
import type { RunOptions, RunRequest, RunResult, RunStatus, Sandbox } from '../types.ts';
import { capUtf8 } from './cap-utf8.ts';
import { IsolateSlot } from './isolate-slot.ts';

/** Options of the isolated-vm backend. */
export interface IsolatedVmSandboxOptions {
  /** Isolates evaluating in parallel (each runs one evaluation at a time). @default min(4, availableParallelism()) */
  isolates?: number;
}

/** Extra wall time past `timeoutMs` before the host disposes a stuck isolate itself (isolated-vm's own timeout fires first). */
const HOST_GRACE_MS = 250;

type Ending = 'timeout' | 'killed' | null;

/** A Sandbox that runs JavaScript in isolated-vm; the code sees `console`, a `stdin` string and, on request, `molrlMarker()`. */
export class IsolatedVmSandbox implements Sandbox {
  readonly backend = 'isolated-vm' as const;
  readonly #slots: IsolateSlot[];
  readonly #waiting: Array<(slot: IsolateSlot) => void> = [];
  #closed = false;

  constructor(ivm: typeof IvmModule, options: IsolatedVmSandboxOptions = {}) {
    const count = options.isolates ?? Math.min(4, availableParallelism());
    this.#slots = Array.from({ length: Math.max(1, count) }, () => new IsolateSlot(ivm));
  }

  /** Isolates created so far across all slots (grows when one is recreated after a memory-limit disposal). */
  get isolatesCreated(): number {
    return this.#slots.reduce((n, slot) => n + slot.generation, 0);
  }

  async run(req: RunRequest, opts: RunOptions = {}): Promise<RunResult> {
    if (this.#closed) throw errors.SANDBOX_CLOSED('isolated-vm');
    if (req.language !== 'javascript') throw errors.SANDBOX_LANGUAGE_UNSUPPORTED('isolated-vm', req.language, ['javascript']);
    const slot = await this.#acquire();
    try {
      return await this.#runIn(slot, req, opts);
    } finally {
      this.#release(slot);
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const slot of this.#slots) slot.dispose();
  }

  async #runIn(slot: IsolateSlot, req: RunRequest, opts: RunOptions): Promise<RunResult> {
    const started = performance.now();
    if (opts.signal?.aborted) return result('killed', started, '', '', false);
    let isolate: IvmModule.Isolate;
    let context: IvmModule.Context;
    let collect: IvmModule.Reference<() => unknown>;
    const marker = req.marker ? randomBytes(16).toString('hex') : '';
    try {
      ({ isolate } = slot.acquire(req.memoryMb));
      const { bootstrap } = slot.acquire(req.memoryMb);
      context = isolate.createContextSync();
      const setup = bootstrap.runSync(context, { reference: true, timeout: 1000 }) as IvmModule.Reference<(...a: unknown[]) => unknown>;
      collect = setup.applySync(undefined, [req.stdin ?? '', marker, req.outputLimitBytes], {
        result: { reference: true },
        timeout: 1000,
      }) as IvmModule.Reference<() => unknown>;
      setup.release();
    } catch (cause) {
      slot.dispose();
      const error = errors.SANDBOX_ISOLATE_FAILED(cause);
      return { ...result('sandbox_error', started, '', '', false), error: { code: error.code, message: error.message } };
    }

    let ending: Ending = null;
    const stop = (why: Exclude<Ending, null>) => {
      ending ??= why;
      slot.dispose();
    };
    const guard = setTimeout(() => stop('timeout'), req.timeoutMs + HOST_GRACE_MS);
    const onAbort = () => stop('killed');
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    let thrown: unknown = null;
    try {
      // Microtask continuations (promise loops) run inside this call and are covered by its timeout.
      await context.eval(req.code, { timeout: req.timeoutMs, filename: 'main.js' });
    } catch (error) {
      thrown = error;
    } finally {
      clearTimeout(guard);
      opts.signal?.removeEventListener('abort', onAbort);
    }

    let out = { stdout: '', stderr: '', over: false, markerRequested: false };
    if (!isolate.isDisposed) {
      try {
        out = collect.applySync(undefined, [], { result: { copy: true }, timeout: 1000 }) as typeof out;
      } catch {
        slot.dispose(); // the collector itself was made to hang or fail: start clean next time
      }
    }
    try {
      collect.release();
      context.release();
    } catch {
      // released with a disposed isolate
    }

    let status: RunStatus = 'ok';
    let stderr = out.stderr;
    const message = thrown instanceof Error ? thrown.message : thrown === null ? '' : String(thrown);
    if (ending) status = ending;
    else if (/timed out/i.test(message)) status = 'timeout';
    else if (/memory limit/i.test(message) || (thrown !== null && isolate.isDisposed)) {
      status = 'memory_limit';
      slot.dispose();
    } else if (out.over) status = 'output_limit';
    else if (thrown !== null) {
      status = 'runtime_error';
      stderr += describeThrown(thrown);
    }
    const stdoutCap = capUtf8(out.stdout, req.outputLimitBytes);
    const stderrCap = capUtf8(stderr, req.outputLimitBytes);
    const truncated = out.over || stdoutCap.cut || stderrCap.cut;
    if (truncated && status === 'ok') status = 'output_limit';
    const res = result(status, started, stdoutCap.text, stderrCap.text, truncated);
    if (req.marker) res.marker = { value: marker, requested: out.markerRequested };
    return res;
  }

  #acquire(): Promise<IsolateSlot> {
    const free = this.#slots.find((slot) => !slot.busy);
    if (free) {
      free.busy = true;
      return Promise.resolve(free);
    }
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  #release(slot: IsolateSlot): void {
    const next = this.#waiting.shift();
    if (next) next(slot);
    else slot.busy = false;
  }
}

/** The error text the program would have printed when dying of an uncaught exception, without host frames. */
function describeThrown(thrown: unknown): string {
  if (!(thrown instanceof Error)) return `Uncaught ${String(thrown)}\n`;
  const stack = (thrown.stack ?? `${thrown.name}: ${thrown.message}`).split('\n');
  const boundary = stack.findIndex((line) => line.includes('<isolated-vm boundary>'));
  return `Uncaught ${(boundary === -1 ? stack : stack.slice(0, boundary)).join('\n')}\n`;
}

function result(status: RunStatus, started: number, stdout: string, stderr: string, truncated: boolean): RunResult {
  return {
    status,
    exitCode: status === 'ok' || status === 'output_limit' ? 0 : status === 'runtime_error' ? 1 : null,
    signal: null,
    stdout,
    stderr,
    truncated,
    durationMs: performance.now() - started,
  };
}

/** Loads isolated-vm (a native module, so loaded only when this backend is used) and returns the backend. */
export async function createIsolatedVmSandbox(options: IsolatedVmSandboxOptions = {}): Promise<IsolatedVmSandbox> {
  let ivm: typeof IvmModule;
  try {
    ivm = ((await import('isolated-vm')) as { default: typeof IvmModule }).default;
    new ivm.Isolate({ memoryLimit: 8 }).dispose();
  } catch (cause) {
    throw errors.SANDBOX_IVM_UNAVAILABLE(cause);
  }
  return new IsolatedVmSandbox(ivm, options);
}
