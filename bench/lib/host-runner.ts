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
 * `cgroup`, it runs in a fresh cpuacct cgroup (falls back to none where that cannot be made: not root, cgroup v2).
 */
export async function startHostRunner(options: { runner?: string; args?: string[]; cgroup?: boolean } = {}): Promise<HostRunner> {
  const runner = options.runner ?? RUNNER;
  let dir: string | null = null;
  if (options.cgroup) {
    dir = `${CPUACCT}/molrl-bench-${process.pid}-${Math.random().toString(36).slice(2)}`;
    try {
      mkdirSync(dir);
    } catch {
      dir = null;
    }
  }
  const env = { PATH: '/usr/bin:/bin', LANG: 'C.UTF-8' };
  const child: ChildProcess = dir
    ? spawn('/bin/sh', ['-c', `echo $$ > ${dir}/cgroup.procs && exec /usr/bin/python3 "$@"`, 'sh', runner, ...(options.args ?? [])], { stdio: ['pipe', 'pipe', 'inherit'], env })
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
      if (dir) {
        try {
          rmdirSync(dir);
        } catch {
          // a straggler still in it: the directory goes once the kernel sees the cgroup empty
        }
      }
    },
  };
}

/** stdout of an ok run, or a description of why it is not ok (which then fails an output check). */
export function okStdout(r: HostReply): string {
  return r.status === 'ok' ? r.stdout : `[${r.status}] ${r.stderr.slice(-300)}`;
}
