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
  /** Drop to this uid/gid with setpriv (when the host process is root). */
  dropToUid: number | null;
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
}

/** Where the working directory appears to the program. */
export const SANDBOX_WORKDIR = '/work';

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
  const program =
    limits.language === 'python'
      ? [interpreter, '-E', '-s', '-B', mainFile('python')]
      : [interpreter, `--max-old-space-size=${Math.max(16, limits.memoryMb)}`, mainFile('javascript')];
  const drop = plan.dropToUid === null ? [] : ['/usr/bin/setpriv', `--reuid=${plan.dropToUid}`, `--regid=${plan.dropToUid}`, '--clear-groups'];
  const cwd = plan.bwrap ? SANDBOX_WORKDIR : hostDir;
  const inner = [...drop, ...program];
  const wrapped = plan.bwrap ? [...bwrapArgs(plan, hostDir), '--chdir', cwd, '--', ...inner] : inner;
  return ['/usr/bin/prlimit', ...rlimits, '--', ...wrapped];
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
