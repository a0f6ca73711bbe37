// Coded errors of @molrl/sandbox, sorted by code. Each factory's key equals the code it produces.
import { MolrlError, describeError } from '@molrl/common';

export const errors = {
  SANDBOX_ABORTED: (backend: string, reason: unknown) =>
    new MolrlError('SANDBOX_ABORTED', `the ${backend} run was aborted by its AbortSignal (${describeError(reason)}); nothing to fix unless the abort was unintended`, {
      cause: reason,
      details: { backend },
    }),
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
  SANDBOX_CONTAINER_FAILED: (image: string, cause: unknown) =>
    new MolrlError(
      'SANDBOX_CONTAINER_FAILED',
      `could not start a sandbox container from ${image} (${describeError(cause)}); check 'docker info' and rebuild the image with 'npm run setup'`,
      { cause, details: { image } },
    ),
  SANDBOX_CONTAINER_LOST: (container: string, cause: unknown) =>
    new MolrlError(
      'SANDBOX_CONTAINER_LOST',
      `the sandbox container ${container} disappeared during the run (${describeError(cause)}): it was removed from outside or the daemon restarted; the pool starts a new one`,
      { cause, details: { container } },
    ),
  SANDBOX_CONTAINER_PAUSED: (container: string, waitedMs: number) =>
    new MolrlError(
      'SANDBOX_CONTAINER_PAUSED',
      `the sandbox container ${container} was paused from outside (docker pause) during the run and gave no reply within ${waitedMs} ms; the pool removes it and starts a new one (find what pauses molrl's containers)`,
      { details: { container, waitedMs } },
    ),
  SANDBOX_DOCKER_UNAVAILABLE: (cause: unknown) =>
    new MolrlError(
      'SANDBOX_DOCKER_UNAVAILABLE',
      `the Docker daemon is not reachable (${describeError(cause)}); start it (npm run setup starts dockerd) or pick the isolated-vm or process backend`,
      { cause },
    ),
  SANDBOX_FILE_PATH_INVALID: (path: string) =>
    new MolrlError(
      'SANDBOX_FILE_PATH_INVALID',
      `RunRequest.files has the path ${JSON.stringify(path)}; expected a relative path inside the working directory (no "..", not absolute)`,
      { path: `files.${path}` },
    ),
  SANDBOX_IMAGE_MISSING: (image: string) =>
    new MolrlError('SANDBOX_IMAGE_MISSING', `the sandbox image ${image} is not present in the Docker daemon; run 'npm run setup' to build it`, {
      details: { image },
    }),
  SANDBOX_IMAGE_STALE: (image: string, why: string) =>
    new MolrlError(
      'SANDBOX_IMAGE_STALE',
      `the sandbox image ${image} was built from another version of the runner (${why}); rebuild it with 'npm run setup' (or 'bash sandbox-images/python/build.sh')`,
      { details: { image } },
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
  SANDBOX_LANGUAGE_IMAGE_MISSING: (language: string, image: string) =>
    new MolrlError(
      'SANDBOX_LANGUAGE_IMAGE_MISSING',
      `the docker backend runs ${language} in the multi-language image ${image}, which is not built; build it with 'npm run setup -- --languages all' (or 'bash sandbox-images/languages/build.sh'), or point sandbox.docker.languagesImage at an image that has it`,
      { details: { language, image } },
    ),
  SANDBOX_LANGUAGE_UNSUPPORTED: (backend: string, language: string, supported: readonly string[]) =>
    new MolrlError(
      'SANDBOX_LANGUAGE_UNSUPPORTED',
      `the ${backend} backend cannot run ${JSON.stringify(language)}; it runs ${supported.join(', ')}: use one of those names, or another backend (docker runs every language, process runs python and nodejs, isolated-vm nodejs)`,
      { path: 'language', details: { backend, language, supported } },
    ),
  SANDBOX_PRELOAD_FAILED: (image: string, failed: Record<string, string>) =>
    new MolrlError(
      'SANDBOX_PRELOAD_FAILED',
      `sandbox.docker.preload names modules that the runner in ${image} cannot import: ${Object.entries(failed)
        .map(([name, why]) => `${name} (${why})`)
        .join('; ')}; remove them from sandbox.docker.preload, or build an image that has them`,
      { path: 'sandbox.docker.preload', details: { image, failed } },
    ),
  SANDBOX_PROCESS_SPAWN_FAILED: (command: string, cause: unknown) =>
    new MolrlError('SANDBOX_PROCESS_SPAWN_FAILED', `the process backend could not start ${command} (${describeError(cause)}); check that it is installed`, {
      cause,
      details: { command },
    }),
  SANDBOX_REQUEST_INVALID: (field: string, value: unknown, expected: string) =>
    new MolrlError('SANDBOX_REQUEST_INVALID', `RunRequest.${field} is ${JSON.stringify(value)}; expected ${expected}`, {
      path: field,
      details: { value },
    }),
  SANDBOX_REQUEST_TOO_LARGE: (field: string, limit: string, value: number, max: number) =>
    new MolrlError(
      'SANDBOX_REQUEST_TOO_LARGE',
      `RunRequest.${field} is ${value.toLocaleString('en-US')}${limit === 'files' ? ' files' : ' bytes'}, over the limit ${limit} = ${max.toLocaleString('en-US')}; send less (smaller files, shorter code or input), or raise the pool's tmpfsMb for files`,
      { path: field, details: { limit, value, max } },
    ),
  SANDBOX_RUNNER_FAILED: (problem: string) =>
    new MolrlError('SANDBOX_RUNNER_FAILED', `the in-container runner misbehaved: ${problem}; the container is recycled, rebuild the image with 'npm run setup' if this repeats`, {
      details: { problem },
    }),
  SANDBOX_RUNNER_KILLED: (container: string, exitCode: unknown) =>
    new MolrlError(
      'SANDBOX_RUNNER_KILLED',
      `the runner in container ${container} died during the run (container exit code ${String(exitCode)}): killed from outside (docker kill, a daemon stop) since programs cannot reach it; the pool starts a new container`,
      { details: { container, exitCode } },
    ),
  SANDBOX_RUNNER_UNRESPONSIVE: (container: string, waitedMs: number) =>
    new MolrlError(
      'SANDBOX_RUNNER_UNRESPONSIVE',
      `the runner in container ${container} gave no reply within ${waitedMs} ms (timeout plus grace) while the container sat idle: it was stopped from outside or the Docker daemon stopped relaying; the container is recycled`,
      { details: { container, waitedMs } },
    ),
  SANDBOX_SCRATCH_TAMPERED: (container: string, problem: string) =>
    new MolrlError(
      'SANDBOX_SCRATCH_TAMPERED',
      `in sandbox container ${container}, ${problem}: something outside the sandbox (docker exec, docker cp) wrote into it, so the run's result cannot be trusted; the container is recycled`,
      { details: { container, problem } },
    ),
} as const;
