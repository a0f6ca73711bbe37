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

/**
 * Limits on one RunRequest, the same on every backend (documented in the package README). A request over one
 * throws SANDBOX_REQUEST_TOO_LARGE naming the limit and its value; nothing of it runs.
 */
export const RUN_REQUEST_LIMITS = Object.freeze({
  /** UTF-8 bytes of `code`. */
  codeBytes: 4 * 1024 * 1024,
  /** UTF-8 bytes of `tests`. */
  testsBytes: 1024 * 1024,
  /** UTF-8 bytes of `stdin`. */
  stdinBytes: 16 * 1024 * 1024,
  /** Entries of `files`. */
  files: 100,
  /** UTF-8 bytes of one file of `files`. */
  fileBytes: 8 * 1024 * 1024,
  /** UTF-8 bytes of all of `files` (contents and names); the docker pool also keeps them within half its tmpfs. */
  filesTotalBytes: 16 * 1024 * 1024,
  /** The largest `outputLimitBytes`: captured bytes of stdout, and of stderr, per execution. */
  outputLimitBytes: 64 * 1024 * 1024,
  /** The largest `timeoutMs`. */
  timeoutMs: 10 * 60 * 1000,
});
