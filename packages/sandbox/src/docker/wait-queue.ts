// The queue of callers waiting for something (a container of a pool, a host of a fleet): FIFO among runs and among
// compiles, runs before compiles, so that samples whose program is compiled finish before the compiles of new
// samples take the containers. Each wait is cancellable by its AbortSignal.
import { errors } from '../errors.ts';

/** One request waiting for a runner session (or the error that ends its wait). */
export interface Waiter<S> {
  resolve(session: S | Error): void;
  /** A compile waits behind every queued run. */
  compile: boolean;
}

/** Waiters in arrival order; `next()` takes the oldest run, else the oldest compile. */
export class WaitQueue<S> {
  readonly #list: Waiter<S>[] = [];

  get length(): number {
    return this.#list.length;
  }

  push(waiter: Waiter<S>): void {
    this.#list.push(waiter);
  }

  /** Removes `waiter` (an aborted wait); false when it was not queued. */
  remove(waiter: Waiter<S>): boolean {
    const i = this.#list.indexOf(waiter);
    if (i >= 0) this.#list.splice(i, 1);
    return i >= 0;
  }

  /** The waiter to serve next: the oldest run, else the oldest compile. */
  next(): Waiter<S> | undefined {
    const run = this.#list.findIndex((w) => !w.compile);
    return run >= 0 ? this.#list.splice(run, 1)[0] : this.#list.shift();
  }

  /** Takes every waiter (to fail them all). */
  drain(): Waiter<S>[] {
    return this.#list.splice(0);
  }

  /**
   * Waits (as a run, or a compile) for a value; an Error handed to the waiter rejects; an abort of `signal` takes
   * the caller out of the queue and rejects with SANDBOX_ABORTED.
   */
  wait(signal?: AbortSignal, compile = false): Promise<S> {
    return new Promise<S>((resolve, reject) => {
      const onAbort = () => {
        this.remove(waiter);
        reject(errors.SANDBOX_ABORTED('docker', signal!.reason));
      };
      const waiter: Waiter<S> = {
        compile,
        resolve: (got) => {
          signal?.removeEventListener('abort', onAbort);
          if (got instanceof Error) reject(got);
          else resolve(got);
        },
      };
      this.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Hands `value` to the next waiter; false when nobody waits. */
  serve(value: S): boolean {
    const waiter = this.next();
    waiter?.resolve(value);
    return waiter !== undefined;
  }

  /** Rejects every waiter with `error`. */
  rejectAll(error: Error): void {
    for (const w of this.drain()) w.resolve(error);
  }
}
