// The `process` backend ("process-unsafe"): a host subprocess per execution with rlimits, and bubblewrap where it works.
import { existsSync } from 'node:fs';
import { chown, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, normalize, sep } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { checkRequest } from '../check-request.ts';
import { errors } from '../errors.ts';
import type { RunOptions, RunRequest, RunResult, RunStatus, Sandbox, TestsOutcome } from '../types.ts';
import { buildCommand, buildJudgeCommand, type CommandPlan, mainFile, type ProcessLanguage } from './command-line.ts';
import { bwrapProblem, systemLayout } from './host-probe.ts';
import { startJudge, type JudgeEnd } from './judge-process.ts';
import { runProcess, type SpawnOutcome } from './run-process.ts';
import { freshProgramUid } from '../program-uid.ts';

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
   * root (each run then has a uid of its own), else 1024 (programs run as the invoking user, who has processes of
   * their own)
   */
  maxProcesses?: number;
  /** RLIMIT_FSIZE: the largest file the program may write, in MB. @default 16 */
  maxFileMb?: number;
  /** Do not print the one-time "process-unsafe" warning (tests). @default false */
  quiet?: boolean;
}

/** The runner's Python files (serve.py, judge.py, wire.py) in this checkout. */
const RUNNER_DIR = fileURLToPath(new URL('../../../../sandbox-images/python', import.meta.url));
/** Largest memoryMb the process backend takes (the host's own memory is the real bound). */
const MAX_MEMORY_MB = 64 * 1024;

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

  /** molrl runs as root: every run drops to a uid of its own. */
  readonly #asRoot: boolean;

  constructor(plan: CommandPlan, asRoot = false) {
    this.#plan = plan;
    this.#asRoot = asRoot;
    this.bwrap = plan.bwrap;
  }

  async run(request: RunRequest, opts: RunOptions = {}): Promise<RunResult> {
    if (this.#closed) throw errors.SANDBOX_CLOSED('process');
    if (request.language !== 'python' && request.language !== 'javascript' && request.language !== 'nodejs') {
      throw errors.SANDBOX_LANGUAGE_UNSUPPORTED('process', String(request.language), ['python', 'nodejs', 'javascript']);
    }
    const req = { ...request, language: request.language === 'python' ? 'python' : 'javascript' } as RunRequest & { language: ProcessLanguage };
    checkRequest(req, { maxMemoryMb: MAX_MEMORY_MB, memoryHint: 'the process backend\'s ceiling' });
    if (req.tests !== undefined && this.#plan.runnerDir === null)
      throw errors.SANDBOX_REQUEST_INVALID('tests', '(tests)', `a checkout with the runner's Python files in ${RUNNER_DIR}`);
    const files = Object.entries(req.files ?? {}).map(([name, content]) => [checkedPath(name), content] as const);
    const started = performance.now();
    const dir = await mkdtemp(join(tmpdir(), 'molrl-process-'));
    if (this.#closed) {
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
      return { status: 'killed', exitCode: null, signal: null, stdout: '', stderr: '', truncated: false, durationMs: performance.now() - started };
    }
    const stopper = new AbortController();
    const signal = opts.signal ? AbortSignal.any([opts.signal, stopper.signal]) : stopper.signal;
    this.#running.add(stopper);
    try {
      await writeFile(join(dir, mainFile(req.language)), req.code);
      for (const [name, content] of files) {
        await mkdir(dirname(join(dir, name)), { recursive: true });
        await writeFile(join(dir, name), content);
      }
      // as root: a uid of this run's own (its judge the next one), so its RLIMIT_NPROC counts only its processes
      const uid = this.#asRoot ? freshProgramUid() : null;
      const plan: CommandPlan = { ...this.#plan, dropToUid: uid, judgeUid: uid === null ? null : uid + 1 };
      if (uid !== null) await chownTree(dir, [mainFile(req.language), ...files.map(([name]) => name)], uid);
      const marker = req.marker ? randomBytes(16).toString('hex') : null;
      const env = { PATH: '/usr/bin:/bin', LANG: 'C.UTF-8', HOME: this.#plan.bwrap ? '/tmp' : dir };
      const judge = req.tests === undefined ? null : startJudge(buildJudgeCommand(plan, req), req.tests, { PATH: '/usr/bin:/bin', LANG: 'C.UTF-8', HOME: '/tmp' });
      try {
        const outcome = await runProcess({
          argv: buildCommand(plan, req, dir),
          cwd: dir,
          env,
          stdin: req.stdin ?? '',
          timeoutMs: req.timeoutMs,
          outputLimitBytes: req.outputLimitBytes,
          marker,
          ...(judge ? { tests: { link: (requests, replies) => judge.link(requests, replies), until: judge.exited.then(releasesProgram) } } : {}),
          signal,
        });
        const result = toResult(outcome, req.language, started);
        if (marker !== null) result.marker = { value: marker, requested: outcome.markerRequested };
        if (!judge) return result;
        const limited = outcome.ending !== null && outcome.ending !== 'served';
        // the program ended by itself: the judge decides on what it saw, within what is left of the time limit
        const end = limited ? null : await within(judge.exited, started + req.timeoutMs - performance.now());
        return withTests(result, limited, end);
      } finally {
        judge?.kill();
      }
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
  const served = outcome.ending === 'served';
  const base = { exitCode: served ? 0 : outcome.exitCode, signal: served ? null : outcome.signal, stdout, stderr, truncated: outcome.truncated };
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

/** Verdicts after which the program is no longer needed (it is stopped); after the others it ends by itself. */
const RELEASING = new Set(['tests_passed', 'tests_failed', 'tests_error']);

/** Resolves when the judge's verdict releases the program; never otherwise. */
function releasesProgram(end: JudgeEnd): Promise<void> {
  return end.outcome && RELEASING.has(end.outcome.verdict ?? '') ? Promise.resolve() : new Promise<void>(() => undefined);
}

/** `promise`'s value, or null when `ms` pass first. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<null>((r) => (timer = setTimeout(() => r(null), Math.max(0, ms))))]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Adds the judge's verdict. A limit that ended the run ends the tests undecided; a judge still deciding at the
 * time limit is a timeout; a judge that ended without a verdict (the program cannot reach it) is the sandbox's
 * fault, except a CPU limit.
 */
function withTests(result: RunResult, limited: boolean, judge: JudgeEnd | null): RunResult {
  const none: TestsOutcome = { verdict: null, detail: '' };
  if (limited || result.status === 'sandbox_error' || result.status === 'memory_limit') return { ...result, tests: none };
  if (judge === null || judge.signal === 'SIGXCPU') return { ...result, status: 'timeout', tests: none };
  if (judge.outcome) return { ...result, tests: judge.outcome };
  const error = errors.SANDBOX_PROCESS_SPAWN_FAILED(`${RUNNER_DIR}/judge.py`, new Error(`the tests process ended without a verdict (${judge.signal ?? 'exit'}): ${judge.diag.trim().split('\n').slice(-3).join(' ')}`));
  return { ...result, status: 'sandbox_error', tests: none, error: { code: error.code, message: error.message } };
}

function statusOf(outcome: SpawnOutcome, language: ProcessLanguage, stderr: string): RunStatus {
  if (outcome.ending === 'served') return 'ok'; // it answered its tests to their end, then was stopped
  if (outcome.ending === 'timeout' || outcome.ending === 'killed') return outcome.ending;
  if (outcome.signal === 'SIGXCPU') return 'timeout'; // RLIMIT_CPU
  if (outcome.exitCode === 0 && outcome.ending === null) return 'ok';
  // Checked before output_limit: a dying V8 prints a long native stack that may itself hit the cap.
  // MemoryError (numpy's _ArrayMemoryError too) and ENOMEM from mmap or fork under the address-space limit
  const outOfMemory = language === 'python' ? /^(\w+\.)*\w*MemoryError\b|^OSError: \[Errno 12\] Cannot allocate memory/m : /heap out of memory|Fatal process out of memory|Allocation failed/;
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
    dropToUid: null, // as root, each run gets a uid of its own (freshProgramUid)
    judgeUid: null,
    runnerDir: ['serve.py', 'judge.py', 'wire.py'].every((f) => existsSync(join(RUNNER_DIR, f))) ? RUNNER_DIR : null,
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
  const sandbox = new ProcessSandbox(plan, isRoot);
  await proveChain(sandbox, python, node, plan.runnerDir !== null);
  return sandbox;
}

/**
 * Runs one program of each language (and one with tests, where the runner's files are here) through the full
 * command chain, so later failures are the programs' own.
 */
async function proveChain(sandbox: ProcessSandbox, python: string, node: string, tests: boolean): Promise<void> {
  const limits = { timeoutMs: 20_000, memoryMb: 256, outputLimitBytes: 4096 };
  for (const [language, interpreter, code, withTests] of [
    ['python', python, 'print("ok")', false],
    ['javascript', node, 'console.log("ok")', false],
    ['python', python, 'print("ok")\ndef f():\n    return 1', true],
  ] as const) {
    if (withTests && !tests) continue;
    const r = await sandbox.run({ ...limits, language, code, ...(withTests ? { tests: 'assert f() == 1' } : {}) });
    if (r.status !== 'ok' || r.stdout !== 'ok\n' || (withTests && r.tests?.verdict !== 'tests_passed')) {
      const why = r.error?.message ?? (r.stderr.trim() || r.tests?.detail.trim() || `status ${r.status}, exit ${r.exitCode}`);
      throw errors.SANDBOX_PROCESS_SPAWN_FAILED(interpreter, new Error(why.split('\n').slice(0, 3).join(' ')));
    }
  }
}
