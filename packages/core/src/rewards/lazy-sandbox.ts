// lazySandbox: a Sandbox that starts its backend on the first run, so configs without sandbox use cost nothing.
import { isMolrlError } from '@molrl/common';
import { createSandbox, type RunOptions, type RunRequest, type RunResult, type Sandbox, type SandboxConfig } from '@molrl/sandbox';

/** Start failures that are infrastructure faults (they may end): runs get sandbox_error and a later run starts again. */
const TRANSIENT = new Set(['SANDBOX_DOCKER_UNAVAILABLE', 'SANDBOX_CONTAINER_FAILED', 'SANDBOX_IMAGE_MISSING']);

/** A Sandbox started on its first run, or earlier by `warm`. */
export interface LazySandbox extends Sandbox {
  /**
   * Starts the backend now; no need to wait for it (settles once the start did, never rejects; a failed start is
   * forgotten: the first run starts again and reports its own failure).
   */
  warm(): Promise<void>;
}

/**
 * Wraps a validated sandbox config; the backend is created on the first `run` and closed by `close`. When the
 * start fails for an infrastructure reason (daemon down, image gone), the runs waiting on it return
 * `sandbox_error` (so scoring retries and finally reports infra_error, never a score) and the next run tries again.
 */
export function lazySandbox(config: Readonly<SandboxConfig>): LazySandbox {
  let started: Promise<Sandbox> | null = null;
  return {
    warm(): Promise<void> {
      if (started) return started.then(() => undefined, () => undefined);
      const attempt = (started = createSandbox(config));
      return attempt.then(
        () => undefined,
        () => {
          if (started === attempt) started = null; // the first run starts again and reports what goes wrong then
        },
      );
    },
    backend: config.backend,
    async run(req: RunRequest, opts?: RunOptions): Promise<RunResult> {
      const attempt = (started ??= createSandbox(config));
      let sandbox: Sandbox;
      try {
        sandbox = await attempt;
      } catch (error) {
        if (!isMolrlError(error) || !TRANSIENT.has(error.code)) throw error;
        if (started === attempt) started = null;
        return { status: 'sandbox_error', exitCode: null, signal: null, stdout: '', stderr: '', truncated: false, durationMs: 0, error: { code: error.code, message: error.message } };
      }
      return sandbox.run(req, opts);
    },
    async close(): Promise<void> {
      const s = started;
      started = null;
      if (s) await (await s.catch(() => null))?.close();
    },
  };
}
