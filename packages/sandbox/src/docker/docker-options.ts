// Options of the docker backend, their defaults, and the hardened container spec they produce.
import type Docker from 'dockerode';
import { hostname } from 'node:os';
import { freshProgramUid } from '../program-uid.ts';

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
}

/** Options with every default filled in (`preload: null`: the image's own list), plus what the image's labels say (`execTmp`). */
export type ResolvedDockerOptions = Required<Omit<DockerSandboxOptions, 'docker' | 'preload'>> & {
  docker: Docker;
  preload: readonly string[] | null;
  /** /tmp is mounted exec: the image compiles programs into binaries there (label `molrl.exec-tmp=1`). */
  execTmp: boolean;
};

/**
 * Default image name: the one `npm run setup` builds, or `MOLRL_SANDBOX_IMAGE` where set (setup's image build
 * honours the same variable), so that checkouts with different runners can keep images side by side.
 */
export const DEFAULT_DOCKER_IMAGE = process.env.MOLRL_SANDBOX_IMAGE || 'molrl/sandbox-python:0.1.0';

/** Default multi-language image: built by `npm run setup -- --languages all`, or `MOLRL_LANGUAGES_IMAGE` where set. */
export const DEFAULT_LANGUAGES_IMAGE = process.env.MOLRL_LANGUAGES_IMAGE || 'molrl/sandbox-languages:0.1.0';

/** Label of an image whose programs run as binaries compiled into /tmp (so /tmp cannot be noexec). */
export const EXEC_TMP_LABEL = 'molrl.exec-tmp';

/** Container memory when `memoryMb` is not set: the ceiling of a run's memoryMb. */
export const DEFAULT_CONTAINER_MEMORY_MB = 1024;

/** Fill in defaults. */
export function resolveDockerOptions(options: DockerSandboxOptions, docker: Docker): ResolvedDockerOptions {
  return {
    image: options.image ?? DEFAULT_DOCKER_IMAGE,
    languagesImage: options.languagesImage ?? DEFAULT_LANGUAGES_IMAGE,
    compileCacheMb: options.compileCacheMb ?? 256,
    poolSize: options.poolSize ?? 2,
    maxRunsPerContainer: options.maxRunsPerContainer ?? 256,
    cpus: options.cpus ?? 1,
    memoryMb: options.memoryMb ?? DEFAULT_CONTAINER_MEMORY_MB,
    pidsLimit: options.pidsLimit ?? 128,
    tmpfsMb: options.tmpfsMb ?? 64,
    graceMs: options.graceMs ?? 5000,
    startTimeoutMs: options.startTimeoutMs ?? 30_000,
    preload: options.preload ?? null,
    docker,
    execTmp: false,
  };
}

/** Labels every molrl container carries: `molrl=1`, the pool, and the owning process (for stale cleanup). */
export function containerLabels(poolId: string): Record<string, string> {
  return { molrl: '1', 'molrl.pool': poolId, 'molrl.pid': String(process.pid), 'molrl.host': hostname() };
}

/**
 * Capabilities of the runner (root inside the container, non-dumpable): SETUID/SETGID to run each program as
 * the container's program uid and each judge as the next uid, SETPCAP to empty their bounding sets, KILL for
 * their leftovers, DAC_OVERRIDE/FOWNER to wipe what they left in /tmp whatever its modes. Programs never hold
 * any of them.
 */
export const RUNNER_CAPABILITIES = ['SETUID', 'SETGID', 'SETPCAP', 'KILL', 'DAC_OVERRIDE', 'FOWNER'];

/**
 * The hardened create-container spec: runner as main process with attached stdio, nothing reachable. The
 * container starts as root with RUNNER_CAPABILITIES only (and no-new-privileges); the runner drops every
 * program to an unprivileged uid without capabilities, so pid 1, the runner and its stdout (the channel to
 * this host) are out of the programs' reach.
 */
export function containerSpec(o: ResolvedDockerOptions, poolId: string, uid: number = freshProgramUid()): Docker.ContainerCreateOptions {
  const memory = o.memoryMb * 1024 * 1024;
  return {
    Image: o.image,
    Cmd: ['python3', '/opt/molrl/runner.py', '--container', ...(o.preload === null ? [] : ['--preload', o.preload.join(',')]), '--uid', String(uid)],
    User: '0:0',
    WorkingDir: '/tmp',
    Env: ['PATH=/usr/local/bin:/usr/bin:/bin', 'LANG=C.UTF-8', 'PYTHONDONTWRITEBYTECODE=1'],
    Labels: containerLabels(poolId),
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
    },
  };
}
