// The docker backend's exports (loaded lazily by createSandbox).
export { createDockerSandbox, DockerSandbox } from './docker-sandbox.ts';
export { createDockerFleet, DockerFleet, type FleetHostStatus } from './docker-fleet.ts';
export type { DockerHostConfig, DockerSocketHost, DockerSshHost, DockerTcpHost } from './docker-host.ts';
export { removeStaleContainers } from './exit-cleanup.ts';
export { DEFAULT_CONTAINER_MEMORY_MB, DEFAULT_DOCKER_IMAGE, DEFAULT_LANGUAGES_IMAGE, dockerCapacity, type DockerFleetOptions, type DockerSandboxOptions, type DockerTransport } from './docker-options.ts';
export type { SessionTransport } from './runner-session.ts';
