// Admission: at most `concurrency` requests are worked on; up to `queue` more wait in FIFO order; the rest are refused.

/** A slot held by a request; call `release` exactly once when its work is done. */
export type Release = () => void;

interface Waiter {
  grant(release: Release): void;
}

/** Bounded concurrency with a bounded FIFO queue. */
export class Admission {
  readonly concurrency: number;
  readonly queueLimit: number;
  #active = 0;
  readonly #waiting: Waiter[] = [];

  constructor(concurrency: number, queueLimit: number) {
    this.concurrency = concurrency;
    this.queueLimit = queueLimit;
  }

  /** Requests holding a slot. */
  get active(): number {
    return this.#active;
  }

  /** Requests waiting for a slot. */
  get queued(): number {
    return this.#waiting.length;
  }

  /**
   * A slot now, or a place in the queue: resolves with the release function once admitted; rejects with
   * `signal.reason` when aborted while waiting. Returns null (nothing taken) when the queue is full.
   */
  enter(signal: AbortSignal): Promise<Release> | null {
    if (this.#active < this.concurrency && this.#waiting.length === 0) return Promise.resolve(this.#take());
    if (this.#waiting.length >= this.queueLimit) return null;
    return new Promise<Release>((resolve, reject) => {
      const onAbort = () => {
        const i = this.#waiting.indexOf(waiter);
        if (i >= 0) this.#waiting.splice(i, 1);
        reject(signal.reason);
      };
      const waiter: Waiter = {
        grant: (release) => {
          signal.removeEventListener('abort', onAbort);
          resolve(release);
        },
      };
      this.#waiting.push(waiter);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  #take(): Release {
    this.#active++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#active--;
      const next = this.#waiting.shift();
      if (next) next.grant(this.#take());
    };
  }
}
