// Default limits and backend of the `sandbox:` config section, beside its schema.

/** Per-run limits every RunRequest carries; the `limits` of a sandbox config default to these. */
export interface SandboxLimits {
  /** Wall-clock limit of one run in ms. */
  timeoutMs: number;
  /** Memory limit of one run in MB. */
  memoryMb: number;
  /** Cap on captured stdout and on stderr, each, in bytes. */
  outputLimitBytes: number;
}

/** Default limits: 5 s, 256 MB, 64 KiB of output per stream. */
export const DEFAULT_SANDBOX_LIMITS: Readonly<SandboxLimits> = Object.freeze({ timeoutMs: 5000, memoryMb: 256, outputLimitBytes: 65536 });

/** Backend used when a config names none. */
export const DEFAULT_SANDBOX_BACKEND = 'docker' as const;
