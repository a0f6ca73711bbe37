// Options of the docker backend, their defaults, and the hardened container spec they produce.
import type Docker from 'dockerode';
import { hostname } from 'node:os';
import { freshProgramUid } from '../program-uid.ts';
import { DEFAULT_HOST, type DockerHostConfig, type DockerHostRef } from './docker-host.ts';

/** Options of `createDockerSandbox` (the `sandbox.docker` config section plus programmatic ones). */
export interface DockerSandboxOptions {
  /** Sandbox image. @default $MOLRL_SANDBOX_IMAGE or 'molrl/sandbox-python:0.1.0' */
  image?: string;
  /**
   * Image for the languages `image` lacks (cpp, c, java, go, rust, nodejs, typescript, bash): a second pool of it
   * starts on the first such request. @default $MOLRL_LANGUAGES_IMAGE or 'molrl/sandbox-languages:0.1.0'
   */
  languagesImage?: string;
  /** Compiled binaries kept per pool, keyed by the source's hash, MB. @default 256 */
  compileCacheMb?: number;
  /** Warm containers; also the number of concurrent executions. @default 2 */
  poolSize?: number;
  /** Recycle a container after this many runs. @default 256 */
  maxRunsPerContainer?: number;
  /** CPUs per container (NanoCpus). @default 1 */
  cpus?: number;
  /** Container memory, MB (Memory = MemorySwap); the ceiling of any request's memoryMb. @default 1024 */
  memoryMb?: number;
  /** Max processes per container (PidsLimit). @default 128 */
  pidsLimit?: number;
  /** Size of the tmpfs /tmp, MB. @default 64 */
  tmpfsMb?: number;
  /** A dockerode client (e.g. for a remote host). @default new Docker() (DOCKER_HOST or the local socket) */
  docker?: Docker;
  /** Extra ms the host waits beyond a run's timeoutMs before it declares the runner unresponsive. @default 5000 */
  graceMs?: number;
  /** Ms a new container may take to report ready. @default 30000 */
  startTimeoutMs?: number;
  /**
   * Python modules the runner's zygote imports once, before its first run, so that programs find them loaded
   * (each program is a fresh fork of the zygote: what one changes in them never reaches the next). `[]` for none.
   * @default the image's list: typing, collections, itertools, functools, math, re, heapq, bisect, string, json, random
   */
  preload?: readonly string[];
  /**
   * How requests reach a container's runner. `socket`: where the daemon is reached through a unix socket (so
   * probably on this machine), over a unix socket in a per-container directory bind-mounted into the container
   * (mode 0700: programs cannot reach it), past dockerd and the container's shim; a container whose socket does
   * not show up here (a remote daemon behind a forwarded socket) falls back to its attach stream. `attach`:
   * always the attach stream (stdin/stdout through dockerd). @default 'socket'
   */
  transport?: DockerTransport;
}

/** How requests reach a container's runner (see DockerSandboxOptions.transport). */
export type DockerTransport = 'socket' | 'attach';

/**
 * Options of a sandbox fleet (`sandbox.docker` with `hosts`): one pool per host, the container options shared by
 * all, each run on the least-loaded host that answers.
 */
export interface DockerFleetOptions extends Omit<DockerSandboxOptions, 'docker'> {
  /** The Docker daemons, each with its own `poolSize` (default: `poolSize`). */
  hosts: DockerHostConfig[];
  /** A host that does not answer a ping within this many ms is down. @default 5000 */
  hostTimeoutMs?: number;
  /** Longest wait between two probes of a host that is down (they start at 250 ms and double). @default 30000 */
  hostProbeMaxMs?: number;
}

/**
 * A daemon call that manages a container (create, start, inspect, stats, remove, list) gives up after this long
 * (create and start: after startTimeoutMs), so a daemon that hangs never hangs a run, a refill or close().
 */
export const DOCKER_CALL_TIMEOUT_MS = 10_000;

/** Defaults of the fleet's own options. */
export const FLEET_DEFAULTS = Object.freeze({ hostTimeoutMs: 5000, hostProbeMaxMs: 30_000, hostProbeMinMs: 250 });

/**
 * Options with every default filled in (`preload: null`: the image's own list), plus what the image's labels say
 * (`execTmp`); `host` is how this pool's daemon is named and reached from the CLI.
 */
export type ResolvedDockerOptions = Required<Omit<DockerSandboxOptions, 'docker' | 'preload'>> & {
  docker: Docker;
  preload: readonly string[] | null;
  /** /tmp is mounted exec: the image compiles programs into binaries there (label `molrl.exec-tmp=1`). */
  execTmp: boolean;
  host: DockerHostRef;
};

/**
 * Default image name: the one `npm run setup` builds, or `MOLRL_SANDBOX_IMAGE` where set (setup's image build
 * honours the same variable), so that checkouts with different runners can keep images side by side.
 */
export const DEFAULT_DOCKER_IMAGE = process.env.MOLRL_SANDBOX_IMAGE || 'molrl/sandbox-python:0.1.0';

/**
 * How a dockerode client's daemon is named and reached from the CLI: a client on an explicit unix socket (a
 * daemon other than the default, e.g. a test's own) by that socket, anything else as the default daemon.
 */
export function hostOfClient(docker: Docker): DockerHostRef {
  const socket = (docker.modem as { socketPath?: unknown; host?: unknown }).socketPath;
  if (typeof socket !== 'string' || (docker.modem as { host?: unknown }).host) return DEFAULT_HOST;
  return { name: `unix://${socket}`, cliArgs: ['-H', `unix://${socket}`] };
}

/** Warm containers of a pool (of each host of a fleet) when the config names none. */
export const DEFAULT_POOL_SIZE = 2;

/** Concurrent runs a `sandbox.docker` section allows: its poolSize, or the sum over its hosts. */
export function dockerCapacity(o: Pick<DockerFleetOptions, 'poolSize'> & { hosts?: readonly { poolSize?: number }[] }): number {
  const each = o.poolSize ?? DEFAULT_POOL_SIZE;
  return o.hosts ? o.hosts.reduce((n, h) => n + (h.poolSize ?? each), 0) : each;
}

/** Default multi-language image: built by `npm run setup -- --languages all`, or `MOLRL_LANGUAGES_IMAGE` where set. */
export const DEFAULT_LANGUAGES_IMAGE = process.env.MOLRL_LANGUAGES_IMAGE || 'molrl/sandbox-languages:0.1.0';

/** Label of an image whose programs run as binaries compiled into /tmp (so /tmp cannot be noexec). */
export const EXEC_TMP_LABEL = 'molrl.exec-tmp';

/** Container memory when `memoryMb` is not set: the ceiling of a run's memoryMb. */
export const DEFAULT_CONTAINER_MEMORY_MB = 1024;

/** Fill in defaults. */
export function resolveDockerOptions(options: DockerSandboxOptions, docker: Docker, host: DockerHostRef = DEFAULT_HOST): ResolvedDockerOptions {
  return {
    image: options.image ?? DEFAULT_DOCKER_IMAGE,
    languagesImage: options.languagesImage ?? DEFAULT_LANGUAGES_IMAGE,
    compileCacheMb: options.compileCacheMb ?? 256,
    poolSize: options.poolSize ?? DEFAULT_POOL_SIZE,
    maxRunsPerContainer: options.maxRunsPerContainer ?? 256,
    cpus: options.cpus ?? 1,
    memoryMb: options.memoryMb ?? DEFAULT_CONTAINER_MEMORY_MB,
    pidsLimit: options.pidsLimit ?? 128,
    tmpfsMb: options.tmpfsMb ?? 64,
    graceMs: options.graceMs ?? 5000,
    startTimeoutMs: options.startTimeoutMs ?? 30_000,
    preload: options.preload ?? null,
    transport: options.transport ?? 'socket',
    docker,
    host,
    execTmp: false,
  };
}

/**
 * Labels every molrl container carries: `molrl=1`, the pool, the owning process and its machine (for stale
 * cleanup), the Docker host as the owner names it (`default` for the default daemon), and, given a `startId`,
 * `molrl.start`: the start that created it (known to the pool before the container exists, so that a sweep of
 * the pool's lost containers never removes one still starting).
 */
export function containerLabels(poolId: string, dockerHost: string | null = null, startId: string | null = null): Record<string, string> {
  const labels = { molrl: '1', 'molrl.pool': poolId, 'molrl.pid': String(process.pid), 'molrl.host': hostname(), 'molrl.docker-host': dockerHost ?? 'default' };
  return startId === null ? labels : { ...labels, 'molrl.start': startId };
}

/**
 * Capabilities of the runner (root inside the container, non-dumpable): SETUID/SETGID to run each program as
 * the container's program uid and each judge as the next uid, SETPCAP to empty their bounding sets, KILL for
 * their leftovers, DAC_OVERRIDE/FOWNER to wipe what they left in /tmp whatever its modes. Programs never hold
 * any of them.
 */
export const RUNNER_CAPABILITIES = ['SETUID', 'SETGID', 'SETPCAP', 'KILL', 'DAC_OVERRIDE', 'FOWNER'];

/** Where a container sees its runner's socket directory (the host's directory, mode 0700, bind-mounted). */
export const RUNNER_SOCKET_DIR = '/run/molrl';
/** The runner's socket in that directory. */
export const RUNNER_SOCKET_NAME = 'runner.sock';

/**
 * The hardened create-container spec: runner as main process with attached stdio, nothing reachable;
 * with `socketDir` (a host directory of mode 0700) that directory is bind-mounted at RUNNER_SOCKET_DIR and the
 * runner listens there for the host's one connection. The
 * container starts as root with RUNNER_CAPABILITIES only (and no-new-privileges); the runner drops every
 * program to an unprivileged uid without capabilities, so pid 1, the runner and its stdout (the channel to
 * this host) are out of the programs' reach.
 */
export function containerSpec(o: ResolvedDockerOptions, poolId: string, uid: number = freshProgramUid(), startId: string | null = null, socketDir: string | null = null): Docker.ContainerCreateOptions {
  const memory = o.memoryMb * 1024 * 1024;
  const socket = socketDir === null ? [] : ['--socket', `${RUNNER_SOCKET_DIR}/${RUNNER_SOCKET_NAME}`];
  return {
    Image: o.image,
    Cmd: ['python3', '/opt/molrl/runner.py', '--container', ...(o.preload === null ? [] : ['--preload', o.preload.join(',')]), '--uid', String(uid), ...socket],
    User: '0:0',
    WorkingDir: '/tmp',
    Env: ['PATH=/usr/local/bin:/usr/bin:/bin', 'LANG=C.UTF-8', 'PYTHONDONTWRITEBYTECODE=1'],
    Labels: containerLabels(poolId, o.host.name, startId),
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
    OpenStdin: true,
    StdinOnce: false,
    Tty: false,
    NetworkDisabled: true,
    HostConfig: {
      NetworkMode: 'none',
      ReadonlyRootfs: true,
      Tmpfs: { '/tmp': `rw,${o.execTmp ? 'exec' : 'noexec'},nosuid,nodev,size=${o.tmpfsMb}m,mode=1777` },
      ShmSize: 16 * 1024 * 1024,
      Memory: memory,
      MemorySwap: memory,
      PidsLimit: o.pidsLimit,
      NanoCpus: Math.round(o.cpus * 1e9),
      CapDrop: ['ALL'],
      CapAdd: RUNNER_CAPABILITIES,
      SecurityOpt: ['no-new-privileges'],
      Init: true,
      Privileged: false,
      IpcMode: 'private',
      Ulimits: [
        { Name: 'nofile', Soft: 1024, Hard: 1024 },
        { Name: 'core', Soft: 0, Hard: 0 },
        { Name: 'fsize', Soft: 256 * 1024 * 1024, Hard: 256 * 1024 * 1024 },
      ],
      LogConfig: { Type: 'none', Config: {} },
      AutoRemove: false,
      ...(socketDir === null ? {} : { Binds: [`${socketDir}:${RUNNER_SOCKET_DIR}:rw`] }),
    },
  };
}
