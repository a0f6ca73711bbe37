// The docker backend's exports (loaded lazily by createSandbox).
export { createDockerSandbox, DockerSandbox } from './docker-sandbox.ts';
export { removeStaleContainers } from './exit-cleanup.ts';
export { DEFAULT_CONTAINER_MEMORY_MB, DEFAULT_DOCKER_IMAGE, DEFAULT_LANGUAGES_IMAGE, type DockerSandboxOptions } from './docker-options.ts';
