// Public types of @molrl/sandbox: one Sandbox interface that every backend implements.

import type { CanonicalLanguage } from './languages.ts';

/**
 * Languages a RunRequest may name (SandboxFusion's names; `javascript` is an alias of `nodejs`). The docker
 * backend runs python in its default image and the others in the multi-language image
 * (`npm run setup -- --languages all`); process runs python and nodejs; isolated-vm runs nodejs (JavaScript).
 */
export type Language = CanonicalLanguage | 'javascript';

/** The backends. `process` runs code on the host and is unsafe: development only. */
export type BackendName = 'docker' | 'isolated-vm' | 'process';

/** One execution request. */
export interface RunRequest {
  language: Language;
  /** Source code of the program. */
  code: string;
  /** Text fed to the program's standard input. @default '' */
  stdin?: string;
  /** Extra files written into the clean working directory before the run (relative path -> content). */
  files?: Record<string, string>;
  /** Wall-clock limit; the whole process group is killed when it passes. */
  timeoutMs: number;
  /** Wall-clock limit of the compile step of a compiled language (cpp, c, java, go, rust, typescript). @default 30000 */
  compileTimeoutMs?: number;
  /** Address-space / container memory limit. */
  memoryMb: number;
  /** Cap on captured stdout + stderr bytes, each stream; more sets `truncated` and status `output_limit`. */
  outputLimitBytes: number;
  /**
   * Ask the runner for a one-time secret marker channel (used by reward harnesses, see
   * `reward:code-execution` mode 'tests'). The marker is never in code, argv, env or files; the harness
   * obtains it from the runner only on request, and the result reports it in `marker`.
   */
  marker?: boolean;
  /**
   * Python tests to run against the program (python only; docker and process backends). The program runs as
   * `__main__`; then a separate judge process, which the program cannot reach, runs these tests: the
   * program's global names are visible to them as plain values or as references whose calls go to the
   * program and come back as plain data (see the package README, "Tests"). The verdict is in `tests`.
   */
  tests?: string;
}

/** What the judge decided about a request's `tests`; decided outside the program's reach. */
export type TestsVerdict = 'tests_passed' | 'tests_failed' | 'tests_error' | 'program_error' | 'syntax_error';

/** The judge's verdict on a request's `tests`. */
export interface TestsOutcome {
  /**
   * `tests_passed` / `tests_failed`; `tests_error`: the tests do not compile or check nothing (no assert, call
   * or raise); `program_error`: the program ended before the tests could use it; `syntax_error`: it does not
   * compile. null when a limit (timeout, output, memory) ended the run before the judge decided.
   */
  verdict: TestsVerdict | null;
  /** The judge's text: the failing test's traceback, or why the tests could not run. */
  detail: string;
}

/**
 * How an execution ended. Only `sandbox_error` is an infrastructure fault; the rest are data about the program.
 * `compile_error`: a compiled language did not compile (the compiler failed, hung past `compileTimeoutMs`, ran
 * out of memory); the program never ran, `stderr` holds the compiler's message and `compile` the details.
 */
export type RunStatus = 'ok' | 'compile_error' | 'runtime_error' | 'timeout' | 'memory_limit' | 'output_limit' | 'killed' | 'sandbox_error';

/** The compile step of a compiled language: how the compiler ended (statuses as for a program), its output and time. */
export interface CompileResult extends Pick<RunResult, 'exitCode' | 'signal' | 'stdout' | 'stderr' | 'truncated' | 'durationMs'> {
  status: Exclude<RunStatus, 'compile_error' | 'sandbox_error'>;
  /** True when the pool reused a binary compiled earlier from the same source (durationMs is that compile's). */
  cached: boolean;
}

/** The one result shape, for success and failure alike. */
export interface RunResult {
  status: RunStatus;
  /** Exit code when the program exited, else null. */
  exitCode: number | null;
  /** Signal name (e.g. 'SIGKILL') when the program was killed by a signal, else null. */
  signal: string | null;
  stdout: string;
  stderr: string;
  /** True when output was cut at `outputLimitBytes`. */
  truncated: boolean;
  durationMs: number;
  /** For `sandbox_error`: the coded error (code, message) that caused it. */
  error?: { code: string; message: string };
  /** For requests with `marker: true`: the marker the runner issued, and whether it was requested. */
  marker?: { value: string; requested: boolean };
  /** For compiled languages: the compile step (also present, with `cached: true`, when a cached binary ran). */
  compile?: CompileResult;
  /**
   * For requests with `tests`: the judge's verdict. The program's own status stays in `status`; when the
   * program served the tests to their end it is stopped afterwards and reported `ok` with exit code 0.
   */
  tests?: TestsOutcome;
}

/** Options to cancel a run. */
export interface RunOptions {
  signal?: AbortSignal;
}

/** A sandbox: runs untrusted code and returns data, never throws for the program's own failures. */
export interface Sandbox {
  readonly backend: BackendName;
  run(req: RunRequest, opts?: RunOptions): Promise<RunResult>;
  close(): Promise<void>;
}
