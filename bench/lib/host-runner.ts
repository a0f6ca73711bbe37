// The fork-server runner (sandbox-images/python/runner.py) started as a bare host process, optionally inside a
// cpuacct cgroup of its own so that the CPU time of the runner, its zygote and every program is counted exactly
// (scheduler nanoseconds, not ticks), whatever else runs on the machine.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmdirSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** This checkout's runner. */
export const RUNNER = fileURLToPath(new URL('../../sandbox-images/python/runner.py', import.meta.url));

/** The cgroup v1 cpuacct hierarchy (root only). */
const CPUACCT = '/sys/fs/cgroup/cpuacct';
/** The cgroup v1 cpu hierarchy, where docker puts all containers in one group of weight 1024 (`/docker`). */
const CPU = '/sys/fs/cgroup/cpu';

/**
 * A fresh cpu cgroup at the top level, weight 1024 like docker's `/docker` group, for host runners to join
 * (`cpuGroup`): they then compete with the rest of the machine as a pool's containers do, as one scheduling
 * entity rather than one per process. Remove it with removeGroup() once its runners are closed.
 */
export function makeCpuGroup(): string {
  const dir = makeGroup(CPU);
  if (!dir) throw new Error(`cannot make a cgroup under ${CPU} (needs root and cgroup v1)`);
  return dir;
}

/** Removes a cgroup directory made here (a no-op while a straggler is still in it). */
export function removeGroup(dir: string): void {
  try {
    rmdirSync(dir);
  } catch {
    // the directory goes once the kernel sees the cgroup empty
  }
}

/** Makes a fresh cgroup directory under `root`; null where that is not allowed (not root, cgroup v2). */
function makeGroup(root: string): string | null {
  const dir = `${root}/molrl-bench-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    mkdirSync(dir);
    return dir;
  } catch {
    return null;
  }
}

/** One request's fields beyond the code (limits, tests). */
export interface HostRequest {
  code: string;
  tests?: string | null;
  timeoutMs?: number;
  memoryMb?: number;
}

/** The runner's reply, as far as the benches read it. */
export interface HostReply {
  status: string;
  stdout: string;
  stderr: string;
  durationMs: number;
  tests?: { verdict: string | null };
}

/** A host runner: one request at a time. */
export interface HostRunner {
  run(req: HostRequest): Promise<HostReply>;
  /** CPU ms used so far by the runner and everything it forked (null without a cgroup). */
  cpuMs(): number | null;
  close(): Promise<void>;
}

/**
 * Starts `runner` (default: this checkout's) with `args` (e.g. `--preload`) and waits for its ready line. With
 * `cgroup`, it runs in a fresh cpuacct cgroup (falls back to none where that cannot be made: not root, cgroup v2);
 * with `cpuGroup`, it joins that cpu cgroup (makeCpuGroup()).
 */
export async function startHostRunner(options: { runner?: string; args?: string[]; cgroup?: boolean; cpuGroup?: string } = {}): Promise<HostRunner> {
  const runner = options.runner ?? RUNNER;
  const dir = options.cgroup ? makeGroup(CPUACCT) : null;
  const cpuDir = options.cpuGroup ?? null;
  const groups = [dir, cpuDir].filter((d): d is string => d !== null);
  const env = { PATH: '/usr/bin:/bin', LANG: 'C.UTF-8' };
  const child: ChildProcess = groups.length
    ? spawn('/bin/sh', ['-c', `${groups.map((g) => `echo $$ > ${g}/cgroup.procs && `).join('')}exec /usr/bin/python3 "$@"`, 'sh', runner, ...(options.args ?? [])], { stdio: ['pipe', 'pipe', 'inherit'], env })
    : spawn('/usr/bin/python3', [runner, ...(options.args ?? [])], { stdio: ['pipe', 'pipe', 'inherit'], env });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const next = async (): Promise<Record<string, unknown>> => {
    const { value, done } = await lines.next();
    if (done) throw new Error(`the host runner ${runner} exited`);
    return JSON.parse(value as string) as Record<string, unknown>;
  };
  const ready = await next();
  if (ready.ready !== true) throw new Error(`host runner did not report ready: ${JSON.stringify(ready)}`);
  let id = 0;
  const usage = () => (dir ? Number(readFileSync(`${dir}/cpuacct.usage`, 'utf8')) / 1e6 : null);
  return {
    async run(req) {
      id += 1;
      const payload = { id, language: 'python', stdin: '', files: {}, marker: false, timeoutMs: 10_000, memoryMb: 512, outputLimitBytes: 65_536, tests: null, ...req };
      child.stdin!.write(`${JSON.stringify(payload)}\n`);
      return (await next()) as unknown as HostReply;
    },
    cpuMs: usage,
    async close() {
      child.stdin!.end();
      if (child.exitCode === null) await new Promise((r) => child.once('exit', r));
      if (dir) removeGroup(dir);
    },
  };
}

/** stdout of an ok run, or a description of why it is not ok (which then fails an output check). */
export function okStdout(r: HostReply): string {
  return r.status === 'ok' ? r.stdout : `[${r.status}] ${r.stderr.slice(-300)}`;
}
