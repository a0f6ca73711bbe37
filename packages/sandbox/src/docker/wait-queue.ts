// A FIFO of callers waiting for something (a container, a host), each one cancellable by its AbortSignal.
import { errors } from '../errors.ts';

interface Waiter<T> {
  resolve(value: T): void;
  reject(error: Error): void;
}

/** Callers waiting for a T, served first come first served. */
export class WaitQueue<T> {
  readonly #waiters: Waiter<T>[] = [];

  /** How many wait. */
  get length(): number {
    return this.#waiters.length;
  }

  /** Waits for a value; an abort of `signal` takes the caller out of the queue and rejects with SANDBOX_ABORTED. */
  wait(signal?: AbortSignal): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => {
        const i = this.#waiters.indexOf(waiter);
        if (i >= 0) this.#waiters.splice(i, 1);
        reject(errors.SANDBOX_ABORTED('docker', signal!.reason));
      };
      const waiter: Waiter<T> = {
        resolve: (value) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(value);
        },
        reject: (error) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      this.#waiters.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Hands `value` to the first waiter; false when nobody waits. */
  serve(value: T): boolean {
    const waiter = this.#waiters.shift();
    waiter?.resolve(value);
    return waiter !== undefined;
  }

  /** Rejects every waiter with `error`. */
  rejectAll(error: Error): void {
    for (const w of this.#waiters.splice(0)) w.reject(error);
  }
}
