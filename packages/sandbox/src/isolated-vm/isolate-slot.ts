// One reusable V8 isolate of the isolated-vm backend: created lazily, recreated after a disposal, with a spare context.
import type * as IvmModule from 'isolated-vm';

type Ivm = typeof IvmModule;

/** An isolate plus the next evaluation's context, built ahead; at most one evaluation runs in it at a time. */
export class IsolateSlot {
  readonly #ivm: Ivm;
  #isolate: IvmModule.Isolate | null = null;
  #memoryMb = 0;
  #spare: Promise<IvmModule.Context> | null = null;
  /** How many isolates this slot has created (1 + recreations); for tests and diagnostics. */
  generation = 0;
  /** Set while a run holds the slot. */
  busy = false;

  constructor(ivm: Ivm) {
    this.#ivm = ivm;
  }

  /** The live isolate for `memoryMb`, creating (or replacing a disposed or differently sized) one as needed. */
  acquire(memoryMb: number): IvmModule.Isolate {
    if (!this.#isolate || this.#isolate.isDisposed || this.#memoryMb !== memoryMb) {
      this.dispose();
      // isolated-vm's minimum is 8 MB; the limit is "a guideline" (a determined script may use 2-3x).
      this.#isolate = new this.#ivm.Isolate({ memoryLimit: Math.max(8, memoryMb) });
      this.#memoryMb = memoryMb;
      this.generation += 1;
    }
    return this.#isolate;
  }

  /**
   * A fresh context of the isolate `acquire` returned: the spare one built after the previous run when there is
   * one, else a new one. Either way it has never run code.
   */
  async context(isolate: IvmModule.Isolate): Promise<IvmModule.Context> {
    const spare = this.#spare;
    this.#spare = null;
    if (spare && isolate === this.#isolate) {
      try {
        return await spare;
      } catch {
        // the spare failed (isolate disposed meanwhile): build one now
      }
    }
    return isolate.createContext();
  }

  /** Starts building the next run's context on the isolate's thread, off the next run's critical path. */
  prepareSpare(): void {
    const isolate = this.#isolate;
    if (this.#spare || !isolate || isolate.isDisposed) return;
    this.#spare = isolate.createContext();
    this.#spare.catch(() => undefined);
  }

  /** Disposes the isolate (ends any evaluation in it); the next `acquire` creates a new one. */
  dispose(): void {
    const isolate = this.#isolate;
    this.#isolate = null;
    this.#spare = null; // goes with its isolate
    if (isolate && !isolate.isDisposed) {
      try {
        isolate.dispose();
      } catch {
        // already disposed by the memory limit between the check and the call
      }
    }
  }
}
