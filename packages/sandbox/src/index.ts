// Public API of @molrl/sandbox.
export type * from './types.ts';
export { createSandbox } from './create-sandbox.ts';
export { sandboxConfigSchema, validateSandboxConfig, type SandboxConfig, type SandboxConfigInput } from './sandbox-config-schema.ts';
export { DEFAULT_SANDBOX_BACKEND, DEFAULT_SANDBOX_LIMITS, RUN_REQUEST_LIMITS, type SandboxLimits } from './sandbox-defaults.ts';
export { createIsolatedVmSandbox, IsolatedVmSandbox, type IsolatedVmSandboxOptions } from './isolated-vm/isolated-vm-sandbox.ts';
export { createProcessSandbox, ProcessSandbox, type ProcessSandboxOptions } from './process/process-sandbox.ts';
export { createDockerSandbox, DockerSandbox, removeStaleContainers, DEFAULT_CONTAINER_MEMORY_MB, DEFAULT_DOCKER_IMAGE, DEFAULT_LANGUAGES_IMAGE, type DockerSandboxOptions, type DockerTransport, type SessionTransport } from './docker/index.ts';
export { createDockerFleet, dockerCapacity, DockerFleet, type DockerFleetOptions, type FleetHostStatus } from './docker/index.ts';
export type { DockerHostConfig, DockerSocketHost, DockerSshHost, DockerTcpHost } from './docker/index.ts';
export { canonicalLanguage, COMPILED_LANGUAGES, DEFAULT_COMPILE_TIMEOUT_MS, LANGUAGE_ALIASES, LANGUAGE_NAMES, LANGUAGES, type CanonicalLanguage } from './languages.ts';
