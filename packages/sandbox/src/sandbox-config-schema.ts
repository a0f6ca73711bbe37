// JSON schema of the `sandbox:` config section (reused by every package that reads one) and its validator.
import { assertValid, createAjv, deepFreeze } from '@molrl/common';
import type { ValidateFunction } from 'ajv';
import type { DockerSandboxOptions } from './docker/docker-options.ts';
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

/** The `docker:` options of a sandbox config: DockerSandboxOptions without the programmatic `docker` client. */
export type DockerSandboxConfig = Omit<DockerSandboxOptions, 'docker'>;

/** What a user may write: every field optional. */
export type SandboxConfigInput = Partial<Omit<SandboxConfig, 'limits'>> & { limits?: Partial<SandboxLimits> };

/** A dotted Python module name (`json`, `os.path`). */
export const PYTHON_MODULE_NAME = '^[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*$';

const positiveInt = (maximum: number, fallback: number, description: string) =>
  ({ type: 'integer', minimum: 1, maximum, default: fallback, description }) as const;

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
        preload: {
          type: 'array',
          maxItems: 64,
          uniqueItems: true,
          items: { type: 'string', pattern: PYTHON_MODULE_NAME, maxLength: 200 },
          description: "Python modules imported once before the first run (default: the image's list of common standard-library modules); [] for none",
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
