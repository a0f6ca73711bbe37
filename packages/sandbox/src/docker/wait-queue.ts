// The queue of requests waiting for a container: FIFO among runs and among compiles, runs before compiles, so that
// samples whose program is compiled finish before the compiles of new samples take the containers.

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
}
