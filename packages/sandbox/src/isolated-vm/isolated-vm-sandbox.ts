// The isolated-vm backend: JavaScript in reused V8 isolates, a new context per evaluation, nothing host-side inside.
import type * as IvmModule from 'isolated-vm';
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { checkRequest } from '../check-request.ts';
import { errors } from '../errors.ts';
import type { RunOptions, RunRequest, RunResult, RunStatus, Sandbox } from '../types.ts';
import { capUtf8 } from './cap-utf8.ts';
import { evaluationScript, type IsolateOutput } from './bootstrap.ts';
import { IsolateSlot } from './isolate-slot.ts';

/** Options of the isolated-vm backend. */
export interface IsolatedVmSandboxOptions {
  /** Isolates evaluating in parallel (each runs one evaluation at a time). @default min(4, availableParallelism()) */
  isolates?: number;
}

/** Extra wall time past `timeoutMs` before the host disposes a stuck isolate itself (isolated-vm's own timeout fires first). */
const HOST_GRACE_MS = 250;

/** Stack frames of the wrapper that runs the program (not the program's own). */
const WRAPPER_FRAMES = /^ +at (eval \(<anonymous>\)|\S*molrl:wrapper:\S*)\n/gm;

/** How long a disposed isolate's evaluation may take to settle before the run stops waiting for it. */
const ABANDON_MS = 250;

type Ending = 'timeout' | 'killed' | null;

/** A Sandbox that runs JavaScript in isolated-vm; the code sees `console`, a `stdin` string and, on request, `molrlMarker()`. */
export class IsolatedVmSandbox implements Sandbox {
  readonly backend = 'isolated-vm' as const;
  readonly #slots: IsolateSlot[];
  readonly #waiting: Array<(slot: IsolateSlot) => void> = [];
  #closed = false;
  /** Evaluations given up on after disposal (a hostile rejection kept the isolate thread busy); diagnostics. */
  abandonedIsolates = 0;

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
    if (req.language !== 'javascript' && req.language !== 'nodejs') throw errors.SANDBOX_LANGUAGE_UNSUPPORTED('isolated-vm', req.language, ['nodejs', 'javascript']);
    checkRequest(req, { maxMemoryMb: 64 * 1024, memoryHint: 'the isolated-vm ceiling' });
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
    if (this.#closed) throw errors.SANDBOX_CLOSED('isolated-vm'); // closed while this run waited for an isolate
    if (opts.signal?.aborted) return result('killed', started, '', '', false);
    let isolate: IvmModule.Isolate;
    let context: IvmModule.Context;
    try {
      isolate = slot.acquire(req.memoryMb);
      context = await slot.context(isolate); // async: isolates build contexts on their own threads, in parallel
    } catch (cause) {
      slot.dispose();
      if (this.#closed) return result('killed', started, '', '', false);
      const error = errors.SANDBOX_ISOLATE_FAILED(cause);
      return { ...result('sandbox_error', started, '', '', false), error: { code: error.code, message: error.message } };
    }

    const marker = req.marker ? randomBytes(16).toString('hex') : '';
    const source = evaluationScript(req.code, req.stdin ?? '', marker, req.outputLimitBytes);
    let ending: Ending = null;
    let abandon: () => void = () => undefined;
    const abandoned = new Promise<void>((resolve) => (abandon = resolve));
    let abandonTimer: NodeJS.Timeout | undefined;
    const stop = (why: Exclude<Ending, null>) => {
      ending ??= why;
      slot.dispose();
      // isolated-vm reads an unhandled rejection's getters after its timeout, and a disposal interrupts only one
      // of them: if the evaluation does not settle soon after disposal, give up on it (its thread may spin on).
      abandonTimer ??= setTimeout(() => {
        this.abandonedIsolates += 1;
        abandon();
      }, ABANDON_MS);
    };
    // Backstop only: isolated-vm's own timeout covers the program and its microtasks and fires first.
    const guard = setTimeout(() => stop('timeout'), req.timeoutMs + HOST_GRACE_MS);
    const onAbort = () => stop('killed');
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    let failure: Error | null = null;
    let copied: unknown;
    try {
      const evaluation = context.eval(source, { timeout: req.timeoutMs, filename: 'molrl:wrapper', copy: true });
      evaluation.catch(() => undefined); // may settle after being abandoned
      copied = await Promise.race([evaluation, abandoned]);
    } catch (error) {
      // Only the limits end up here (timeout, memory, disposal) and unhandled rejections: the wrapper catches
      // everything the program throws synchronously.
      failure = error instanceof Error ? error : new Error(String(error));
    } finally {
      clearTimeout(guard);
      clearTimeout(abandonTimer);
      opts.signal?.removeEventListener('abort', onAbort);
    }
    try {
      context.release();
    } catch {
      // already gone with a disposed isolate
    }
    slot.prepareSpare();
    const out = asOutput(copied);

    let status: RunStatus = 'ok';
    let stderr = out.stderr.replace(WRAPPER_FRAMES, '');
    if (ending) status = ending;
    else if (failure && this.#closed) status = 'killed'; // close() disposed the isolate under this run
    // An unhandled rejection's message is the program's own text: limits are recognized by their effect too.
    else if (failure && isolate.isDisposed) {
      status = 'memory_limit'; // isolated-vm disposes the isolate when it passes memoryLimit
      slot.dispose();
    } else if (failure && /timed out/i.test(failure.message) && performance.now() - started >= req.timeoutMs) {
      status = 'timeout';
    } else if (out.over) status = 'output_limit';
    else if (out.threw) status = 'runtime_error';
    else if (failure) {
      status = 'runtime_error'; // an unhandled promise rejection, reported by isolated-vm
      stderr += `Uncaught (in promise) ${failure.message}\n`;
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

/** The copied output with every field checked (defensive: only the wrapper writes it). */
function asOutput(value: unknown): IsolateOutput {
  const v = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  return {
    stdout: typeof v.stdout === 'string' ? v.stdout : '',
    stderr: typeof v.stderr === 'string' ? v.stderr : '',
    over: v.over === true,
    threw: v.threw === true,
    markerRequested: v.markerRequested === true,
  };
}

function result(status: RunStatus, started: number, stdout: string, stderr: string, truncated: boolean): RunResult {
  return {
    status,
    exitCode: status === 'ok' ? 0 : status === 'runtime_error' ? 1 : null,
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
    ivm = ((await import('isolated-vm')) as unknown as { default: typeof IvmModule }).default;
    new ivm.Isolate({ memoryLimit: 8 }).dispose();
  } catch (cause) {
    throw errors.SANDBOX_IVM_UNAVAILABLE(cause);
  }
  return new IsolatedVmSandbox(ivm, options);
}
