// The sandbox factory: validates a `sandbox:` config section and starts the backend it names.
import type { SandboxConfig, SandboxConfigInput } from './sandbox-config-schema.ts';
import { validateSandboxConfig } from './sandbox-config-schema.ts';
import type { Sandbox } from './types.ts';

/**
 * Creates the sandbox a config section describes (validated first; CONFIG_INVALID names `<rootPath>.field`).
 * Backends load lazily, so a program using isolated-vm never loads dockerode and vice versa.
 * Close the returned sandbox (in a `finally`) to release containers, isolates and temp dirs.
 */
export async function createSandbox(config: SandboxConfigInput | SandboxConfig = {}, rootPath = 'sandbox'): Promise<Sandbox> {
  const valid = validateSandboxConfig(config, rootPath);
  switch (valid.backend) {
    case 'docker': {
      const { createDockerFleet, createDockerSandbox } = await import('./docker/index.ts');
      const docker = valid.docker ?? {};
      // with hosts: a fleet over those daemons; without: one pool on the default daemon (DOCKER_HOST or the local socket)
      return docker.hosts ? createDockerFleet({ ...docker, hosts: docker.hosts }) : createDockerSandbox({ ...docker });
    }
    case 'isolated-vm': {
      const { createIsolatedVmSandbox } = await import('./isolated-vm/isolated-vm-sandbox.ts');
      return createIsolatedVmSandbox({ ...valid.isolatedVm });
    }
    case 'process': {
      const { createProcessSandbox } = await import('./process/process-sandbox.ts');
      return createProcessSandbox({ ...valid.process });
    }
  }
}
