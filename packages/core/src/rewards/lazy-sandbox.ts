// lazySandbox: a Sandbox that starts its backend on the first run, so configs without sandbox use cost nothing.
import { createSandbox, type RunOptions, type RunRequest, type RunResult, type Sandbox, type SandboxConfig } from '@molrl/sandbox';

/** Wraps a validated sandbox config; the backend is created on the first `run` and closed by `close`. */
export function lazySandbox(config: Readonly<SandboxConfig>): Sandbox {
  let started: Promise<Sandbox> | null = null;
  return {
    backend: config.backend,
    async run(req: RunRequest, opts?: RunOptions): Promise<RunResult> {
      started ??= createSandbox(config);
      return (await started).run(req, opts);
    },
    async close(): Promise<void> {
      const s = started;
      started = null;
      if (s) await (await s.catch(() => null))?.close();
    },
  };
}
