// The `process` backend ("process-unsafe"): a host subprocess per execution with rlimits, and bubblewrap where it works.
import { chown, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, normalize, sep } from 'node:path';
import { randomBytes } from 'node:crypto';
import { errors } from '../errors.ts';
import type { RunOptions, RunRequest, RunResult, RunStatus, Sandbox } from '../types.ts';
import { buildCommand, type CommandPlan, mainFile, type ProcessLanguage } from './command-line.ts';
import { bwrapProblem, systemLayout } from './host-probe.ts';
import { runProcess, type SpawnOutcome } from './run-process.ts';

/** Options of the process backend. */
export interface ProcessSandboxOptions {
  /** Python interpreter (absolute path). @default '/usr/bin/python3' */
  python?: string;
  /** Node interpreter for javascript (absolute path). @default process.execPath */
  node?: string;
  /** Wrap each run in bubblewrap: 'auto' uses it when a probe run works. @default 'auto' */
  bwrap?: 'auto' | 'always' | 'never';
  /**
   * RLIMIT_NPROC: max processes of the program's uid (a host-wide count per uid). @default 64 when molrl runs as
   * root (programs then run as uid 65534), else 1024 (programs run as the invoking user, who has processes of their own)
   */
  maxProcesses?: number;
  /** RLIMIT_FSIZE: the largest file the program may write, in MB. @default 16 */
  maxFileMb?: number;
  /** Do not print the one-time "process-unsafe" warning (tests). @default false */
  quiet?: boolean;
}

/** uid/gid the program runs as when molrl runs as root (nobody/nogroup). */
const UNPRIVILEGED_ID = 65534;

let warned = false;

/** A Sandbox that runs each program as a host subprocess. Unsafe: development only, where Docker is missing. */
export class ProcessSandbox implements Sandbox {
  readonly backend = 'process' as const;
  /** Whether runs are wrapped in bubblewrap. */
  readonly bwrap: boolean;
  readonly #plan: CommandPlan;
  /** Runs in flight, stopped by close(). */
  readonly #running = new Set<AbortController>();
  #closed = false;

  constructor(plan: CommandPlan) {
    this.#plan = plan;
    this.bwrap = plan.bwrap;
  }

  async run(req: RunRequest, opts: RunOptions = {}): Promise<RunResult> {
    if (this.#closed) throw errors.SANDBOX_CLOSED('process');
    if (req.language !== 'python' && req.language !== 'javascript' && req.language !== 'nodejs') {
      throw errors.SANDBOX_LANGUAGE_UNSUPPORTED('process', String(req.language), ['python', 'nodejs', 'javascript']);
    }
    const language: ProcessLanguage = req.language === 'python' ? 'python' : 'javascript';
    const files = Object.entries(req.files ?? {}).map(([name, content]) => [checkedPath(name), content] as const);
    const started = performance.now();
    const dir = await mkdtemp(join(tmpdir(), 'molrl-process-'));
    const stopper = new AbortController();
    const signal = opts.signal ? AbortSignal.any([opts.signal, stopper.signal]) : stopper.signal;
    this.#running.add(stopper);
    try {
      await writeFile(join(dir, mainFile(language)), req.code);
      for (const [name, content] of files) {
        await mkdir(dirname(join(dir, name)), { recursive: true });
        await writeFile(join(dir, name), content);
      }
      if (this.#plan.dropToUid !== null) await chownTree(dir, [mainFile(language), ...files.map(([name]) => name)], this.#plan.dropToUid);
      const marker = req.marker ? randomBytes(16).toString('hex') : null;
      const outcome = await runProcess({
        argv: buildCommand(this.#plan, { language, timeoutMs: req.timeoutMs, memoryMb: req.memoryMb }, dir),
        cwd: dir,
        env: { PATH: '/usr/bin:/bin', LANG: 'C.UTF-8', HOME: this.#plan.bwrap ? '/tmp' : dir },
        stdin: req.stdin ?? '',
        timeoutMs: req.timeoutMs,
        outputLimitBytes: req.outputLimitBytes,
        marker,
        signal,
      });
      const result = toResult(outcome, language, started);
      if (marker !== null) result.marker = { value: marker, requested: outcome.markerRequested };
      return result;
    } finally {
      this.#running.delete(stopper);
      // A program may leave an unreadable tree behind; the result still stands (root removes it regardless).
      await rm(dir, { recursive: true, force: true, maxRetries: 2 }).catch(() => undefined);
    }
  }

  /** Refuses new runs and kills the ones in flight (they end as `killed`). */
  async close(): Promise<void> {
    this.#closed = true;
    for (const stopper of this.#running) stopper.abort();
  }
}

/** Maps a finished subprocess to the RunResult contract. */
function toResult(outcome: SpawnOutcome, language: ProcessLanguage, started: number): RunResult {
  const stdout = outcome.stdout.toString('utf8');
  const stderr = outcome.stderr.toString('utf8');
  const base = { exitCode: outcome.exitCode, signal: outcome.signal, stdout, stderr, truncated: outcome.truncated };
  const durationMs = performance.now() - started;
  // Only a failed spawn is infrastructure. Whatever the program prints or exits with is its own result: the whole
  // prlimit/bwrap/setpriv chain was proven at creation, and a program must never pass itself off as sandbox_error
  // (which is retried and excluded instead of scored).
  if (outcome.spawnError) {
    const error = errors.SANDBOX_PROCESS_SPAWN_FAILED('/usr/bin/prlimit', outcome.spawnError);
    return { ...base, status: 'sandbox_error', durationMs, error: { code: error.code, message: error.message } };
  }
  return { ...base, status: statusOf(outcome, language, stderr), durationMs };
}

function statusOf(outcome: SpawnOutcome, language: ProcessLanguage, stderr: string): RunStatus {
  if (outcome.ending === 'timeout' || outcome.ending === 'killed') return outcome.ending;
  if (outcome.signal === 'SIGXCPU') return 'timeout'; // RLIMIT_CPU
  if (outcome.exitCode === 0 && outcome.ending === null) return 'ok';
  // Checked before output_limit: a dying V8 prints a long native stack that may itself hit the cap.
  const outOfMemory = language === 'python' ? /^MemoryError\b/m : /heap out of memory|Fatal process out of memory|Allocation failed/;
  if (outOfMemory.test(stderr)) return 'memory_limit';
  if (outcome.ending === 'output_limit') return 'output_limit';
  if (outcome.signal === 'SIGKILL') return 'killed';
  return 'runtime_error';
}

/** A relative path that stays inside the working directory, or a coded error. */
function checkedPath(name: string): string {
  const clean = normalize(name);
  if (name === '' || isAbsolute(name) || clean === '..' || clean.startsWith(`..${sep}`) || name.includes('\0')) {
    throw errors.SANDBOX_FILE_PATH_INVALID(name);
  }
  return clean;
}

async function chownTree(dir: string, names: string[], id: number): Promise<void> {
  await chown(dir, id, id);
  for (const name of names) {
    let path = name;
    while (path !== '.' && path !== '') {
      await chown(join(dir, path), id, id);
      path = dirname(path);
    }
  }
}

/** Probes the host (bubblewrap, layout) once and returns the backend; prints the "process-unsafe" warning once. */
export async function createProcessSandbox(options: ProcessSandboxOptions = {}): Promise<ProcessSandbox> {
  const python = options.python ?? '/usr/bin/python3';
  const node = options.node ?? process.execPath;
  for (const [what, path] of [['python', python], ['node', node]] as const) {
    if (!isAbsolute(path)) throw errors.SANDBOX_PROCESS_SPAWN_FAILED(path, new Error(`the ${what} interpreter must be an absolute path`));
  }
  const layout = await systemLayout();
  const mode = options.bwrap ?? 'auto';
  const problem = mode === 'never' ? 'disabled by configuration' : await bwrapProblem(python, layout);
  if (mode === 'always' && problem !== null) throw errors.SANDBOX_BWRAP_UNAVAILABLE(problem);
  const isRoot = process.getuid?.() === 0;
  const plan: CommandPlan = {
    interpreters: { python, javascript: node },
    bwrap: problem === null,
    layout,
    dropToUid: isRoot ? UNPRIVILEGED_ID : null,
    maxProcesses: options.maxProcesses ?? (isRoot ? 64 : 1024),
    maxFileBytes: (options.maxFileMb ?? 16) * 1024 * 1024,
  };
  if (!warned && !options.quiet) {
    warned = true;
    const isolation = plan.bwrap ? 'bubblewrap (no network, own pid namespace, read-only system dirs)' : `rlimits only, no bubblewrap (${problem})`;
    process.stderr.write(
      `molrl: WARNING: sandbox backend 'process' (process-unsafe) runs untrusted code on this host with ${isolation}. ` +
        `Use it for development only; use backend 'docker' for training.\n`,
    );
  }
  const sandbox = new ProcessSandbox(plan);
  await proveChain(sandbox, python, node);
  return sandbox;
}

/** Runs one program of each language through the full command chain, so later failures are the programs' own. */
async function proveChain(sandbox: ProcessSandbox, python: string, node: string): Promise<void> {
  const limits = { timeoutMs: 20_000, memoryMb: 256, outputLimitBytes: 4096 };
  for (const [language, interpreter, code] of [
    ['python', python, 'print("ok")'],
    ['javascript', node, 'console.log("ok")'],
  ] as const) {
    const r = await sandbox.run({ ...limits, language, code });
    if (r.status !== 'ok' || r.stdout !== 'ok\n') {
      const why = r.error?.message ?? (r.stderr.trim() || `status ${r.status}, exit ${r.exitCode}`);
      throw errors.SANDBOX_PROCESS_SPAWN_FAILED(interpreter, new Error(why.split('\n').slice(0, 3).join(' ')));
    }
  }
}
