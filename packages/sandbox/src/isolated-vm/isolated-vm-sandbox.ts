// The isolated-vm backend: JavaScript in V8 isolates, a new context per evaluation, nothing host-side inside. Each
// isolate lives in a process of its own (isolate-host.ts), so that whatever a program leaves running can be ended.
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { checkRequest } from '../check-request.ts';
import { errors } from '../errors.ts';
import type { RunOptions, RunRequest, RunResult, RunStatus, Sandbox } from '../types.ts';
import { IsolateProcess, type HostOutcome } from './isolate-process.ts';

/** Options of the isolated-vm backend. */
export interface IsolatedVmSandboxOptions {
  /** Isolates evaluating in parallel, each in a process of its own. @default min(4, availableParallelism()) */
  isolates?: number;
}

/**
 * Wall ms past `timeoutMs` before the sandbox kills a host that has not answered (isolated-vm's own timeout ends
 * the program first; a host still silent then is held by a hostile program, e.g. an unhandled rejection whose
 * getters loop, which isolated-vm reads outside every timeout).
 */
const HOST_GRACE_MS = 2000;

/** One isolate host and whether a run holds it. */
interface Slot {
  host: IsolateProcess | null;
  busy: boolean;
}

/** A Sandbox that runs JavaScript in isolated-vm; the code sees `console`, a `stdin` string and, on request, `molrlMarker()`. */
export class IsolatedVmSandbox implements Sandbox {
  readonly backend = 'isolated-vm' as const;
  readonly #slots: Slot[];
  readonly #waiting: Array<(slot: Slot) => void> = [];
  /** Isolates created by hosts that were replaced. */
  #retiredIsolates = 0;
  #closed = false;
  /** Hosts killed because an evaluation did not end in time (a hostile program held them); diagnostics. */
  abandonedIsolates = 0;

  constructor(hosts: IsolateProcess[]) {
    this.#slots = hosts.map((host) => ({ host, busy: false }));
  }

  /** Isolates created so far across all hosts, current and retired (grows when one is recreated). */
  get isolatesCreated(): number {
    return this.#slots.reduce((n, s) => n + (s.host?.generation ?? 0), this.#retiredIsolates);
  }

  /** Process ids of the live isolate hosts. */
  get hostPids(): number[] {
    return this.#slots.map((s) => s.host).filter((h): h is IsolateProcess => h !== null && !h.dead).map((h) => h.pid!);
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
    for (const slot of this.#slots) slot.host?.kill(); // runs in flight end as killed; queued ones then see the close
  }

  /** The slot's host, started anew when the last one was killed or died. */
  async #host(slot: Slot): Promise<IsolateProcess> {
    if (!slot.host || slot.host.dead) {
      this.#retiredIsolates += slot.host?.generation ?? 0;
      slot.host = IsolateProcess.start();
    }
    await slot.host.ready;
    return slot.host;
  }

  async #runIn(slot: Slot, req: RunRequest, opts: RunOptions): Promise<RunResult> {
    const started = performance.now();
    if (this.#closed) throw errors.SANDBOX_CLOSED('isolated-vm'); // closed while this run waited for an isolate
    if (opts.signal?.aborted) return result('killed', started, '', '', false);
    let host: IsolateProcess;
    try {
      host = await this.#host(slot);
    } catch (cause) {
      if (this.#closed) return result('killed', started, '', '', false);
      const error = errors.SANDBOX_ISOLATE_FAILED(cause);
      return { ...result('sandbox_error', started, '', '', false), error: { code: error.code, message: error.message } };
    }
    const marker = req.marker ? randomBytes(16).toString('hex') : '';
    let ending: 'timeout' | 'killed' | null = null;
    const stop = (why: 'timeout' | 'killed') => {
      ending ??= why;
      host.kill();
    };
    // isolated-vm's own timeout covers the program and its promise continuations and fires first; this one ends a
    // host that a hostile program holds past it.
    const guard = setTimeout(() => {
      this.abandonedIsolates += 1;
      stop('timeout');
    }, req.timeoutMs + HOST_GRACE_MS);
    const onAbort = () => stop('killed');
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    let outcome: HostOutcome;
    try {
      outcome = await host.evaluate({ code: req.code, stdin: req.stdin ?? '', marker, timeoutMs: req.timeoutMs, memoryMb: req.memoryMb, outputLimitBytes: req.outputLimitBytes });
    } finally {
      clearTimeout(guard);
      opts.signal?.removeEventListener('abort', onAbort);
    }
    if (outcome.kind === 'exit') {
      if (ending) return result(ending, started, '', '', false);
      if (this.#closed) return result('killed', started, '', '', false); // close() killed the host under this run
      if (outcome.signal === 'SIGKILL') {
        // killed from outside (or by the OOM killer): not the program's doing as far as can be told
        const error = errors.SANDBOX_ISOLATE_FAILED(new Error('the isolate host process was killed (SIGKILL) during the run'));
        return { ...result('sandbox_error', started, '', '', false), error: { code: error.code, message: error.message } };
      }
      // V8 or isolated-vm aborted the host while it ran the program (a fatal error the program provoked)
      return result('killed', started, '', `the isolate host ended during the run (signal ${outcome.signal}, exit code ${outcome.code})\n`, false);
    }
    const reply = outcome.reply;
    if (reply.status === 'sandbox_error') {
      const error = errors.SANDBOX_ISOLATE_FAILED(new Error(reply.error ?? 'no context'));
      return { ...result('sandbox_error', started, '', '', false), error: { code: error.code, message: error.message } };
    }
    const res = result(reply.status, started, reply.stdout, reply.stderr, reply.truncated);
    if (req.marker) res.marker = { value: marker, requested: reply.markerRequested };
    return res;
  }

  #acquire(): Promise<Slot> {
    const free = this.#slots.find((slot) => !slot.busy);
    if (free) {
      free.busy = true;
      return Promise.resolve(free);
    }
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  #release(slot: Slot): void {
    const next = this.#waiting.shift();
    if (next) next(slot);
    else slot.busy = false;
  }
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

/**
 * Starts the isolate hosts (processes with isolated-vm loaded) and returns the backend; SANDBOX_IVM_UNAVAILABLE
 * when isolated-vm cannot be loaded.
 */
export async function createIsolatedVmSandbox(options: IsolatedVmSandboxOptions = {}): Promise<IsolatedVmSandbox> {
  const count = Math.max(1, options.isolates ?? Math.min(4, availableParallelism()));
  const hosts = Array.from({ length: count }, () => IsolateProcess.start());
  try {
    await Promise.all(hosts.map((h) => h.ready));
  } catch (cause) {
    for (const h of hosts) h.kill();
    throw errors.SANDBOX_IVM_UNAVAILABLE(cause);
  }
  return new IsolatedVmSandbox(hosts);
}
