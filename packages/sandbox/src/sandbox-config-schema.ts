// JSON schema of the `sandbox:` config section (reused by every package that reads one) and its validator.
import { assertValid, createAjv, deepFreeze } from '@molrl/common';
import type { ValidateFunction } from 'ajv';
import type { DockerFleetOptions, DockerSandboxOptions } from './docker/docker-options.ts';
import type { IsolatedVmSandboxOptions } from './isolated-vm/isolated-vm-sandbox.ts';
import type { ProcessSandboxOptions } from './process/process-sandbox.ts';
import { DEFAULT_SANDBOX_BACKEND, DEFAULT_SANDBOX_LIMITS, type SandboxLimits } from './sandbox-defaults.ts';
import type { BackendName } from './types.ts';

/** The `sandbox:` section of a config: which backend, default per-run limits, and that backend's options. */
export interface SandboxConfig {
  /** @default 'docker' */
  backend: BackendName;
  /** Defaults for RunRequest limits. @default DEFAULT_SANDBOX_LIMITS */
  limits: SandboxLimits;
  /** Options of the docker backend (used when backend is 'docker'). */
  docker?: DockerSandboxConfig;
  /** Options of the isolated-vm backend. */
  isolatedVm?: IsolatedVmSandboxOptions;
  /** Options of the process (process-unsafe) backend. */
  process?: ProcessSandboxOptions;
}

/** The `docker:` options of a sandbox config: DockerSandboxOptions without the programmatic `docker` client, and the fleet's. */
export type DockerSandboxConfig = Omit<DockerSandboxOptions, 'docker'> & Partial<DockerFleetOptions>;

/** What a user may write: every field optional. */
export type SandboxConfigInput = Partial<Omit<SandboxConfig, 'limits'>> & { limits?: Partial<SandboxLimits> };

/** A dotted Python module name (`json`, `os.path`). */
export const PYTHON_MODULE_NAME = '^[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*$';

const positiveInt = (maximum: number, fallback: number, description: string) =>
  ({ type: 'integer', minimum: 1, maximum, default: fallback, description }) as const;

const absolutePath = (description: string) => ({ type: 'string', pattern: '^/', description }) as const;
const hostName = { type: 'string', pattern: '^[A-Za-z0-9._:\\[\\]-]+$', description: 'host name or IP address (no scheme, no port)' } as const;
const hostPort = { type: 'integer', minimum: 1, maximum: 65_535 } as const;
const hostPoolSize = { type: 'integer', minimum: 1, maximum: 256, description: 'warm containers on this host (default: sandbox.docker.poolSize)' } as const;

/**
 * One entry of `sandbox.docker.hosts` (DockerHostConfig): `{ socketPath }`, `{ protocol: 'ssh', host, username }`, or
 * a TCP daemon `{ host, port, ca, cert, key }` (TLS, the default) / `{ host, port, protocol: 'http' }`. Which shape
 * applies is decided by `socketPath` and `protocol`, so an error names the fields of that shape only.
 */
export const dockerHostSchema = {
  type: 'object',
  if: { required: ['socketPath'], properties: { socketPath: true } },
  then: {
    additionalProperties: false,
    required: ['socketPath'],
    properties: { socketPath: absolutePath("absolute path of the daemon's unix socket"), poolSize: hostPoolSize },
  },
  else: {
    if: { required: ['protocol'], properties: { protocol: { const: 'ssh' } } },
    then: {
      additionalProperties: false,
      required: ['protocol', 'host', 'username'],
      properties: {
        protocol: { const: 'ssh' },
        host: hostName,
        port: { ...hostPort, description: 'ssh port (default 22)' },
        username: { type: 'string', minLength: 1 },
        privateKey: absolutePath('absolute path of the ssh private key (default: the ssh agent, $SSH_AUTH_SOCK)'),
        poolSize: hostPoolSize,
      },
    },
    else: {
      if: { required: ['protocol'], properties: { protocol: { const: 'http' } } },
      then: {
        additionalProperties: false,
        required: ['protocol', 'host'],
        properties: {
          protocol: { const: 'http', description: 'unauthenticated TCP: root on that host for anyone who reaches the port' },
          host: hostName,
          port: { ...hostPort, description: 'default 2375' },
          poolSize: hostPoolSize,
        },
      },
      else: {
        additionalProperties: false,
        required: ['host', 'ca', 'cert', 'key'],
        properties: {
          protocol: { enum: ['https', 'http', 'ssh'], description: "'https' (the default): TLS with client certificates (the daemon's --tlsverify)" },
          host: hostName,
          port: { ...hostPort, description: 'default 2376' },
          ca: absolutePath("absolute path of the CA certificate (PEM) that signed the daemon's certificate"),
          cert: absolutePath("absolute path of this client's certificate (PEM)"),
          key: absolutePath("absolute path of this client's private key (PEM)"),
          poolSize: hostPoolSize,
        },
      },
    },
  },
} as const;

/** JSON schema of SandboxConfig (`additionalProperties: false` everywhere, defaults from sandbox-defaults.ts). */
export const sandboxConfigSchema = {
  $id: 'molrl:sandbox-config',
  type: 'object',
  additionalProperties: false,
  properties: {
    backend: { enum: ['docker', 'isolated-vm', 'process'], default: DEFAULT_SANDBOX_BACKEND, description: "'process' is process-unsafe: development only" },
    limits: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        timeoutMs: positiveInt(600_000, DEFAULT_SANDBOX_LIMITS.timeoutMs, 'wall-clock limit of one run, ms'),
        memoryMb: { type: 'integer', minimum: 8, maximum: 65_536, default: DEFAULT_SANDBOX_LIMITS.memoryMb, description: 'memory limit of one run, MB' },
        outputLimitBytes: positiveInt(64 * 1024 * 1024, DEFAULT_SANDBOX_LIMITS.outputLimitBytes, 'cap on stdout and on stderr, bytes'),
      },
    },
    docker: {
      type: 'object',
      additionalProperties: false,
      properties: {
        image: { type: 'string', minLength: 1, description: 'sandbox image, e.g. molrl/sandbox-python:<version>' },
        languagesImage: { type: 'string', minLength: 1, description: 'image for the languages `image` lacks, e.g. molrl/sandbox-languages:<version> (npm run setup -- --languages all)' },
        compileCacheMb: { type: 'integer', minimum: 0, maximum: 65_536, description: 'compiled binaries kept per pool by source hash, MB' },
        poolSize: { type: 'integer', minimum: 1, maximum: 256, description: 'warm containers' },
        maxRunsPerContainer: { type: 'integer', minimum: 1, description: 'recycle a container after this many runs' },
        cpus: { type: 'number', exclusiveMinimum: 0, maximum: 256, description: 'CPUs per container' },
        memoryMb: { type: 'integer', minimum: 16, description: 'container memory (= memory + swap), MB' },
        pidsLimit: { type: 'integer', minimum: 8, description: 'max processes per container' },
        tmpfsMb: { type: 'integer', minimum: 1, description: 'size of the tmpfs /tmp, MB' },
        graceMs: { type: 'integer', minimum: 0, description: 'extra ms beyond timeoutMs before the runner counts as unresponsive' },
        startTimeoutMs: { type: 'integer', minimum: 1, description: 'ms a new container may take to report ready' },
        hosts: {
          type: 'array',
          minItems: 1,
          maxItems: 256,
          items: dockerHostSchema,
          description: 'a sandbox fleet: several Docker daemons, each with its own poolSize; runs go to the least-loaded one that answers',
        },
        hostTimeoutMs: { type: 'integer', minimum: 100, maximum: 600_000, description: 'with hosts: a host that does not answer a ping within this many ms is down (default 5000)' },
        hostProbeMaxMs: { type: 'integer', minimum: 250, maximum: 3_600_000, description: 'with hosts: longest wait between two probes of a host that is down (default 30000)' },
        preload: {
          type: 'array',
          maxItems: 64,
          uniqueItems: true,
          items: { type: 'string', pattern: PYTHON_MODULE_NAME, maxLength: 200 },
          description: "Python modules imported once before the first run (default: the image's list of common standard-library modules); [] for none",
        },
        transport: {
          enum: ['socket', 'attach'],
          description: "how requests reach a container's runner: 'socket' (default) a unix socket bind-mounted from this machine where the daemon is local (else the attach stream), 'attach' always the attach stream through dockerd",
        },
      },
    },
    isolatedVm: {
      type: 'object',
      additionalProperties: false,
      properties: {
        isolates: { type: 'integer', minimum: 1, maximum: 256, description: 'isolates evaluating in parallel' },
      },
    },
    process: {
      type: 'object',
      additionalProperties: false,
      properties: {
        python: { type: 'string', pattern: '^/', description: 'absolute path of python3' },
        node: { type: 'string', pattern: '^/', description: 'absolute path of node' },
        bwrap: { enum: ['auto', 'always', 'never'] },
        maxProcesses: { type: 'integer', minimum: 1, maximum: 65_536 },
        maxFileMb: { type: 'integer', minimum: 1, maximum: 65_536 },
        quiet: { type: 'boolean' },
      },
    },
  },
} as const;

let validator: ValidateFunction<SandboxConfig> | null = null;

/**
 * Validates a `sandbox:` section (a copy: `data` is not modified), applies defaults and returns it deep-frozen.
 * Throws CONFIG_INVALID listing every problem as `<rootPath>.field: what (got value)`.
 */
export function validateSandboxConfig(data: unknown, rootPath = 'sandbox'): Readonly<SandboxConfig> {
  validator ??= createAjv().compile<SandboxConfig>(sandboxConfigSchema);
  const copy: unknown = data === undefined ? {} : structuredClone(data);
  assertValid(validator, copy, `the ${rootPath} config`, rootPath);
  return deepFreeze(copy);
}
