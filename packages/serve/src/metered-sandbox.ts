// A Sandbox wrapper that counts runs in progress, so that /metrics and /healthz can report the pool's occupancy.
import type { RunOptions, RunRequest, RunResult, Sandbox, SandboxConfig } from '@molrl/sandbox';
import type { PoolStats } from './types.ts';

/** A sandbox that also reports PoolStats. */
export interface MeteredSandbox extends Sandbox {
  stats(): PoolStats;
}

/** Warm slots of the backend: live containers (docker), isolates (isolated-vm); the process backend has no pool. */
function slots(sandbox: Sandbox, config: Readonly<SandboxConfig>, running: number): number {
  const ids = (sandbox as { containerIds?: unknown }).containerIds;
  if (Array.isArray(ids)) return ids.length;
  if (config.backend === 'isolated-vm') return config.isolatedVm?.isolates ?? 1;
  return running;
}

/**
 * Wraps `sandbox`: `busy` = runs in progress up to the number of slots, `queue` = the runs beyond them (they
 * wait in the backend's own FIFO queue). Closing the wrapper closes the sandbox.
 */
export function meteredSandbox(sandbox: Sandbox, config: Readonly<SandboxConfig>): MeteredSandbox {
  let running = 0;
  return {
    backend: sandbox.backend,
    async run(req: RunRequest, opts?: RunOptions): Promise<RunResult> {
      running++;
      try {
        return await sandbox.run(req, opts);
      } finally {
        running--;
      }
    },
    close: () => sandbox.close(),
    stats() {
      const size = slots(sandbox, config, running);
      return { size, busy: Math.min(running, size), queue: Math.max(0, running - size) };
    },
  };
}
