// The child process that holds one isolated-vm isolate for IsolatedVmSandbox (isolate-process.ts starts it with
// child_process.fork). It evaluates one program at a time in a new context of its isolate (isolated-vm's async
// calls: measured cheaper than its sync ones, and they leave this process's main thread free), and replies with the
// run's outcome. It is a process of its own so that the parent can always stop
// it: isolated-vm reads an unhandled rejection's `message` and `stack` after every timeout, and a rejection whose
// getters loop would otherwise keep a thread of the parent busy for good (SIGKILL ends this process instead).
import type * as IvmModule from 'isolated-vm';
import { capUtf8 } from './cap-utf8.ts';
import { evaluationScript, type IsolateOutput } from './bootstrap.ts';
import type { HostReply, HostRequest } from './host-protocol.ts';

/** Stack frames of the wrapper that runs the program (not the program's own). */
const WRAPPER_FRAMES = /^ +at (eval \(<anonymous>\)|\S*molrl:wrapper:\S*)\n/gm;

type Ivm = typeof IvmModule;

/** The isolate and the next run's context, built ahead after each reply. */
class Slot {
  readonly #ivm: Ivm;
  #isolate: IvmModule.Isolate | null = null;
  #memoryMb = 0;
  #spare: Promise<IvmModule.Context> | null = null;
  /** Isolates created so far (1 + recreations after a memory-limit disposal). */
  generation = 0;

  constructor(ivm: Ivm) {
    this.#ivm = ivm;
  }

  /** The live isolate for `memoryMb`, created (or replaced) as needed. */
  isolate(memoryMb: number): IvmModule.Isolate {
    if (!this.#isolate || this.#isolate.isDisposed || this.#memoryMb !== memoryMb) {
      this.dispose();
      // isolated-vm's minimum is 8 MB; the limit is "a guideline" (a determined script may use 2-3x).
      this.#isolate = new this.#ivm.Isolate({ memoryLimit: Math.max(8, memoryMb) });
      this.#memoryMb = memoryMb;
      this.generation += 1;
    }
    return this.#isolate;
  }

  /** A context that has never run code: the spare one, else a new one. */
  async context(isolate: IvmModule.Isolate): Promise<IvmModule.Context> {
    const spare = this.#spare;
    this.#spare = null;
    if (spare && isolate === this.#isolate) {
      try {
        return await spare;
      } catch {
        // the spare failed: build one now
      }
    }
    return isolate.createContext();
  }

  /** Starts building the next run's context (on the isolate's thread) while the parent handles this run's reply. */
  prepareSpare(): void {
    const isolate = this.#isolate;
    if (this.#spare || !isolate || isolate.isDisposed) return;
    this.#spare = isolate.createContext();
    this.#spare.catch(() => undefined);
  }

  dispose(): void {
    const isolate = this.#isolate;
    this.#isolate = null;
    this.#spare = null;
    if (isolate && !isolate.isDisposed) {
      try {
        isolate.dispose();
      } catch {
        // disposed by the memory limit meanwhile
      }
    }
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

/** Runs one program in a new context and classifies the outcome (the parent adds the marker and the duration). */
async function evaluate(slot: Slot, req: HostRequest): Promise<HostReply> {
  const started = performance.now();
  let isolate: IvmModule.Isolate;
  let context: IvmModule.Context;
  try {
    isolate = slot.isolate(req.memoryMb);
    context = await slot.context(isolate);
  } catch (cause) {
    slot.dispose();
    return { id: req.id, status: 'sandbox_error', stdout: '', stderr: '', truncated: false, markerRequested: false, generation: slot.generation, error: String((cause as Error)?.message ?? cause) };
  }
  const source = evaluationScript(req.code, req.stdin, req.marker, req.outputLimitBytes);
  let failure: Error | null = null;
  let copied: unknown;
  try {
    // isolated-vm's timeout covers the program and its promise continuations (they run before the script returns).
    copied = await context.eval(source, { timeout: req.timeoutMs, filename: 'molrl:wrapper', copy: true });
  } catch (error) {
    // Only the limits end up here (timeout, memory) and unhandled rejections: the wrapper catches everything the
    // program throws synchronously.
    failure = error instanceof Error ? error : new Error(String(error));
  }
  try {
    context.release();
  } catch {
    // gone with a disposed isolate
  }
  const out = asOutput(copied);
  let status: HostReply['status'] = 'ok';
  let stderr = out.stderr.replace(WRAPPER_FRAMES, '');
  // An unhandled rejection's message is the program's own text: limits are recognized by their effect too.
  if (failure && isolate.isDisposed) {
    status = 'memory_limit'; // isolated-vm disposes the isolate when it passes memoryLimit
    slot.dispose();
  } else if (failure && /timed out/i.test(failure.message) && performance.now() - started >= req.timeoutMs) status = 'timeout';
  else if (out.over) status = 'output_limit';
  else if (out.threw) status = 'runtime_error';
  else if (failure) {
    status = 'runtime_error'; // an unhandled promise rejection, reported by isolated-vm
    stderr += `Uncaught (in promise) ${failure.message}\n`;
  }
  const stdoutCap = capUtf8(out.stdout, req.outputLimitBytes);
  const stderrCap = capUtf8(stderr, req.outputLimitBytes);
  const truncated = out.over || stdoutCap.cut || stderrCap.cut;
  if (truncated && status === 'ok') status = 'output_limit';
  return { id: req.id, status, stdout: stdoutCap.text, stderr: stderrCap.text, truncated, markerRequested: out.markerRequested, generation: slot.generation };
}

async function main(): Promise<void> {
  let ivm: Ivm;
  try {
    ivm = ((await import('isolated-vm')) as unknown as { default: Ivm }).default;
    new ivm.Isolate({ memoryLimit: 8 }).dispose();
  } catch (cause) {
    process.send!({ ready: false, error: String((cause as Error)?.stack ?? cause) });
    process.disconnect();
    return;
  }
  const slot = new Slot(ivm);
  process.on('message', (req: HostRequest) => {
    void evaluate(slot, req).then((reply) => {
      process.send!(reply);
      slot.prepareSpare();
    });
  });
  // The parent is gone: end at once. (SIGKILL: a normal exit would wait for an isolated-vm thread that a hostile
  // program may hold, and this process would never end.)
  process.on('disconnect', () => process.kill(process.pid, 'SIGKILL'));
  process.send!({ ready: true });
}

if (process.send) void main();
