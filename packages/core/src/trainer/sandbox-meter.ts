// A Sandbox wrapper that counts runs in flight, for the live view of `molrl train` (sandbox pool usage).
import type { RunOptions, RunRequest, RunResult, Sandbox } from '@molrl/sandbox';

/** Sandbox use: runs in flight now (executing or queued for a container), the most at once since the last `takePeak`, and the configured capacity. */
export interface SandboxUsage {
  busy: number;
  peak: number;
  /** Pool size (docker) or isolates (isolated-vm) when the config sets them; null otherwise. */
  capacity: number | null;
  /** Runs started so far. */
  runs: number;
}

/** Wraps `inner`; `usage()` reads the counters, `takePeak()` returns the peak and restarts it at `busy`. */
export function meterSandbox(inner: Sandbox, capacity: number | null): { sandbox: Sandbox; usage(): SandboxUsage; takePeak(): number } {
  let busy = 0;
  let peak = 0;
  let runs = 0;
  const sandbox: Sandbox = {
    backend: inner.backend,
    async run(req: RunRequest, opts?: RunOptions): Promise<RunResult> {
      busy++;
      runs++;
      peak = Math.max(peak, busy);
      try {
        return await inner.run(req, opts);
      } finally {
        busy--;
      }
    },
    close: () => inner.close(),
  };
  return {
    sandbox,
    usage: () => ({ busy, peak, capacity, runs }),
    takePeak: () => {
      const p = peak;
      peak = busy;
      return p;
    },
  };
}
