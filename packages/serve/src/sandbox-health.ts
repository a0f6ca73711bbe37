// Health of the sandbox behind a server: for docker, whether the daemon answers and the pool can start containers
// (for a fleet over several Docker hosts: whether one host answers).
import { describeError } from '@molrl/common';
import { DockerFleet, type Sandbox, type SandboxConfig } from '@molrl/sandbox';
import Docker from 'dockerode';

const PING_TIMEOUT_MS = 2000;

/**
 * Returns a check that lists what is wrong (empty when healthy). Docker: the daemon must answer a ping within
 * 2 s (the same DOCKER_HOST / socket the pool uses), and the pool's last container start must not have failed.
 */
export function sandboxHealth(sandbox: Sandbox, config: Readonly<SandboxConfig>): () => Promise<string[]> {
  if (config.backend !== 'docker') return async () => [];
  if (sandbox instanceof DockerFleet) {
    // a fleet (sandbox.docker.hosts) serves while one host is up
    return async () => {
      const hosts = await sandbox.checkHosts();
      if (hosts.some((h) => h.up)) return [];
      return [`every Docker host of the sandbox fleet is down: ${hosts.map((h) => `${h.name} (${h.downReason})`).join('; ')}`];
    };
  }
  const docker = new Docker();
  return async () => {
    const problems: string[] = [];
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        docker.ping(),
        new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${PING_TIMEOUT_MS} ms`)), PING_TIMEOUT_MS))),
      ]);
    } catch (error) {
      problems.push(`the Docker daemon is not reachable: ${describeError(error)}`);
    } finally {
      clearTimeout(timer);
    }
    const startError = (sandbox as { startError?: Error | null }).startError;
    if (startError) problems.push(`the sandbox pool cannot start containers: ${startError.message}`);
    return problems;
  };
}
