// Builds the argv of one process-backend execution: prlimit, then bubblewrap (when usable), then the interpreter.
/** The languages the process backend runs (`nodejs` requests arrive here as `javascript`). */
export type ProcessLanguage = 'python' | 'javascript';

/** Paths and switches the command line depends on (resolved once per sandbox). */
export interface CommandPlan {
  /** Absolute interpreter per language. */
  interpreters: Record<ProcessLanguage, string>;
  /** Wrap in bubblewrap (no network, own pid namespace, read-only system dirs, tmpfs /tmp). */
  bwrap: boolean;
  /** bwrap flags that mirror the host's /bin, /lib, /lib64 (symlinks into /usr on merged-usr systems, else binds). */
  layout: string[];
  /** Drop to this uid/gid with setpriv (when the host process is root: a fresh one per run). */
  dropToUid: number | null;
  /** Drop the tests' judge to this uid/gid with setpriv (when the host process is root: the run's uid + 1). */
  judgeUid: number | null;
  /** Host directory of the runner's Python files (serve.py, judge.py, wire.py), or null where they are missing. */
  runnerDir: string | null;
  /** Max processes per uid (RLIMIT_NPROC). */
  maxProcesses: number;
  /** Max size of one written file in bytes (RLIMIT_FSIZE). */
  maxFileBytes: number;
}

/** One execution's limits. */
export interface CommandLimits {
  language: ProcessLanguage;
  timeoutMs: number;
  memoryMb: number;
  /** Tests mode: the program runs under serve.py, which answers its judge on fds 6 and 7 after the program ran. */
  tests?: string;
}

/** Where the working directory appears to the program. */
export const SANDBOX_WORKDIR = '/work';

/** Where the runner's Python files appear inside bubblewrap. */
export const SANDBOX_RUNNER_DIR = '/opt/molrl';

/** File name of the program inside the working directory. */
export function mainFile(language: ProcessLanguage): string {
  return language === 'python' ? 'main.py' : 'main.js';
}

/** `[file, ...args]` to spawn for one execution whose working directory is `hostDir`. */
export function buildCommand(plan: CommandPlan, limits: CommandLimits, hostDir: string): string[] {
  const cpuSeconds = Math.ceil(limits.timeoutMs / 1000) + 1;
  const rlimits = [`--cpu=${cpuSeconds}`, `--fsize=${plan.maxFileBytes}`, `--nproc=${plan.maxProcesses}`, '--core=0', '--nofile=256'];
  // V8 reserves far more address space than it uses, so node cannot start under RLIMIT_AS: its heap is capped
  // with --max-old-space-size instead.
  if (limits.language === 'python') rlimits.push(`--as=${limits.memoryMb * 1024 * 1024}`);
  const interpreter = plan.interpreters[limits.language];
  const serve = limits.tests === undefined ? [] : [`${runnerDir(plan)}/serve.py`];
  const program =
    limits.language === 'python'
      ? [interpreter, '-E', '-s', '-B', ...serve, mainFile('python')]
      : [interpreter, `--max-old-space-size=${Math.max(16, limits.memoryMb)}`, mainFile('javascript')];
  const cwd = plan.bwrap ? SANDBOX_WORKDIR : hostDir;
  const inner = [...setpriv(plan.dropToUid), ...program];
  const binds = limits.tests === undefined ? [] : runnerBind(plan);
  const wrapped = plan.bwrap ? [...bwrapArgs(plan, hostDir), ...binds, '--chdir', cwd, '--', ...inner] : inner;
  return ['/usr/bin/prlimit', ...rlimits, '--', ...wrapped];
}

/**
 * `[file, ...args]` of a tests run's judge (judge.py): the same rlimits (at least 256 MB), its own bubblewrap
 * (so the program, in another pid namespace, cannot even see it) and its own uid when molrl runs as root.
 */
export function buildJudgeCommand(plan: CommandPlan, limits: CommandLimits): string[] {
  const cpuSeconds = Math.ceil(limits.timeoutMs / 1000) + 1;
  const rlimits = [`--cpu=${cpuSeconds}`, `--as=${Math.max(256, limits.memoryMb) * 1024 * 1024}`, `--fsize=${16 * 1024 * 1024}`, '--core=0'];
  const inner = [...setpriv(plan.judgeUid), plan.interpreters.python, '-E', '-s', '-B', `${runnerDir(plan)}/judge.py`];
  const wrapped = plan.bwrap ? [...bwrapArgs(plan, null), ...runnerBind(plan), '--chdir', '/', '--', ...inner] : inner;
  return ['/usr/bin/prlimit', ...rlimits, '--', ...wrapped];
}

function setpriv(uid: number | null): string[] {
  return uid === null ? [] : ['/usr/bin/setpriv', `--reuid=${uid}`, `--regid=${uid}`, '--clear-groups'];
}

function runnerDir(plan: CommandPlan): string {
  if (plan.runnerDir === null) throw new Error('runnerDir is null: tests are not available');
  return plan.bwrap ? SANDBOX_RUNNER_DIR : plan.runnerDir;
}

function runnerBind(plan: CommandPlan): string[] {
  // bwrap makes missing parents 0700: /opt is made 0755 first, or the dropped uid could not reach /opt/molrl
  return plan.bwrap && plan.runnerDir !== null ? ['--perms', '0755', '--dir', '/opt', '--ro-bind', plan.runnerDir, SANDBOX_RUNNER_DIR] : [];
}

/** bubblewrap flags: no network, own pid/ipc/uts namespaces, read-only system, tmpfs /tmp, the workdir bound rw. */
export function bwrapArgs(plan: Pick<CommandPlan, 'interpreters' | 'layout'>, hostDir: string | null): string[] {
  const args = ['/usr/bin/bwrap', '--ro-bind', '/usr', '/usr', ...plan.layout];
  for (const interpreter of Object.values(plan.interpreters)) {
    if (!interpreter.startsWith('/usr/')) args.push('--ro-bind', interpreter, interpreter);
  }
  // Debian resolves some shared libraries (libblas for numpy) through /etc/alternatives symlinks.
  args.push('--perms', '0755', '--dir', '/etc', '--ro-bind-try', '/etc/alternatives', '/etc/alternatives', '--ro-bind-try', '/etc/ld.so.cache', '/etc/ld.so.cache');
  args.push('--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp');
  if (hostDir !== null) args.push('--bind', hostDir, SANDBOX_WORKDIR);
  args.push('--unshare-net', '--unshare-pid', '--unshare-ipc', '--unshare-uts', '--die-with-parent', '--new-session');
  return args;
}
