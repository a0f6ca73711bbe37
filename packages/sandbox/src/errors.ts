// Coded errors of @molrl/sandbox, sorted by code. Each factory's key equals the code it produces.
import { MolrlError, describeError } from '@molrl/common';

export const errors = {
  SANDBOX_BWRAP_UNAVAILABLE: (problem: string) =>
    new MolrlError(
      'SANDBOX_BWRAP_UNAVAILABLE',
      `bubblewrap was required (process backend option bwrap: 'always') but does not work here: ${problem}; install bubblewrap (apt-get install bubblewrap) and allow user namespaces, or set bwrap: 'auto'`,
      { details: { problem } },
    ),
  SANDBOX_CLOSED: (backend: string) =>
    new MolrlError('SANDBOX_CLOSED', `the ${backend} sandbox is closed; create a new one with createSandbox() before calling run()`, {
      details: { backend },
    }),
  SANDBOX_FILE_PATH_INVALID: (path: string) =>
    new MolrlError(
      'SANDBOX_FILE_PATH_INVALID',
      `RunRequest.files has the path ${JSON.stringify(path)}; expected a relative path inside the working directory (no "..", not absolute)`,
      { path: `files.${path}` },
    ),
  SANDBOX_ISOLATE_FAILED: (cause: unknown) =>
    new MolrlError('SANDBOX_ISOLATE_FAILED', `could not prepare an isolated-vm context (${describeError(cause)}); the isolate is recreated on the next run`, {
      cause,
    }),
  SANDBOX_IVM_UNAVAILABLE: (cause: unknown) =>
    new MolrlError(
      'SANDBOX_IVM_UNAVAILABLE',
      `isolated-vm cannot be loaded (${describeError(cause)}); run node with --no-node-snapshot (Node >= 20) and reinstall with 'npm run setup' if the native module is missing`,
      { cause },
    ),
  SANDBOX_LANGUAGE_UNSUPPORTED: (backend: string, language: string, supported: string[]) =>
    new MolrlError(
      'SANDBOX_LANGUAGE_UNSUPPORTED',
      `the ${backend} backend cannot run ${JSON.stringify(language)}; it runs ${supported.join(', ')}: pick another backend (docker or process run python)`,
      { details: { backend, language, supported } },
    ),
  SANDBOX_PROCESS_SPAWN_FAILED: (command: string, cause: unknown) =>
    new MolrlError('SANDBOX_PROCESS_SPAWN_FAILED', `the process backend could not start ${command} (${describeError(cause)}); check that it is installed`, {
      cause,
      details: { command },
    }),
} as const;
