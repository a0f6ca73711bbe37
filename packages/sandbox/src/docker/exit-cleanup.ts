// Container cleanup beyond close(): on SIGINT/SIGTERM/exit of the host process, and stale containers of dead processes.
import type Docker from 'dockerode';
import { execFileSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DOCKER_CALL_TIMEOUT_MS } from './docker-options.ts';
import { pidAlive } from '@molrl/common';
import { SOCKET_DIR_PATTERN } from './runner-session.ts';
import { loadDockerode } from './load-dockerode.ts';

interface Closable {
  readonly containerIds: string[];
  /** docker CLI flags that reach the pool's daemon ([]: the CLI's default). */
  readonly dockerCliArgs: string[];
  /** Directories of this machine bind-mounted for its runners' sockets. */
  readonly socketDirs: string[];
  close(): Promise<void>;
}

const pools = new Set<Closable>();
const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

function onSignal(signal: NodeJS.Signals): void {
  // Re-raise (the default action) only when nobody else handles the signal: a command with its own SIGINT
  // handler (molrl train checkpoints on Ctrl-C) decides itself when to exit.
  const handledElsewhere = process.listeners(signal).some((l) => l !== onSignal);
  const all = [...pools];
  pools.clear();
  uninstall();
  void Promise.allSettled(all.map((p) => p.close())).then(() => {
    if (!handledElsewhere) process.kill(process.pid, signal);
  });
}

/** Last resort when the process exits without close(): remove synchronously through the docker CLI, on each pool's host. */
function onExit(): void {
  for (const pool of pools) {
    const ids = pool.containerIds;
    if (ids.length > 0) {
      try {
        execFileSync('docker', [...pool.dockerCliArgs, 'rm', '-f', ...ids], { stdio: 'ignore', timeout: 10_000 });
      } catch {
        // docker CLI missing or daemon gone: removeStaleContainers() cleans up later
      }
    }
    for (const dir of pool.socketDirs) rmSync(dir, { recursive: true, force: true });
  }
}

function install(): void {
  for (const s of SIGNALS) process.on(s, onSignal);
  process.on('exit', onExit);
}

function uninstall(): void {
  for (const s of SIGNALS) process.off(s, onSignal);
  process.off('exit', onExit);
}

/** Register an open pool so a signal or exit of the process removes its containers. */
export function trackPool(pool: Closable): void {
  if (pools.size === 0) install();
  pools.add(pool);
}

/** Forget a closed pool; the handlers go away with the last one. */
export function untrackPool(pool: Closable): void {
  if (pools.delete(pool) && pools.size === 0) uninstall();
}

/**
 * Remove containers labelled `molrl=1` whose owning process (label `molrl.pid` on this host) is gone, and the
 * runner socket directories of this machine whose process is gone. Returns the ids of the containers it removed.
 */
export async function removeStaleContainers(client?: Docker): Promise<string[]> {
  const docker = client ?? new (await loadDockerode())();
  const list = await docker.listContainers({ all: true, filters: { label: ['molrl=1'] }, abortSignal: AbortSignal.timeout(DOCKER_CALL_TIMEOUT_MS) });
  const stale = list.filter((c) => {
    const pid = Number(c.Labels['molrl.pid']);
    return c.Labels['molrl.host'] === hostname() && Number.isInteger(pid) && pid > 0 && !pidAlive(pid);
  });
  await Promise.all(stale.map((c) => docker.getContainer(c.Id).remove({ force: true, abortSignal: AbortSignal.timeout(DOCKER_CALL_TIMEOUT_MS) }).catch(() => undefined)));
  removeStaleSocketDirs();
  return stale.map((c) => c.Id);
}

/** Removes the runner socket directories (SOCKET_DIR_PATTERN) of processes that are gone. */
export function removeStaleSocketDirs(dir: string = tmpdir()): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const pid = Number(SOCKET_DIR_PATTERN.exec(name)?.[1]);
    if (pid > 0 && !pidAlive(pid)) rmSync(join(dir, name), { recursive: true, force: true });
  }
}
