// One reusable V8 isolate of the isolated-vm backend: created lazily, recreated after a memory-limit disposal.
import type * as IvmModule from 'isolated-vm';

type Ivm = typeof IvmModule;

/** An isolate with its compiled bootstrap; at most one evaluation runs in it at a time. */
export class IsolateSlot {
  readonly #ivm: Ivm;
  #isolate: IvmModule.Isolate | null = null;
  #memoryMb = 0;
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
      const isolate = new this.#ivm.Isolate({ memoryLimit: Math.max(8, memoryMb) });
      this.#isolate = isolate;
      this.#memoryMb = memoryMb;
      this.generation += 1;
    }
    return this.#isolate;
  }

  /** Disposes the isolate (ends any evaluation in it); the next `acquire` creates a new one. */
  dispose(): void {
    const isolate = this.#isolate;
    this.#isolate = null;
    if (isolate && !isolate.isDisposed) {
      try {
        isolate.dispose();
      } catch {
        // already disposed by the memory limit between the check and the call
      }
    }
  }
}
