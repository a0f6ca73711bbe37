// The floor under any fork server on this machine: fork() + _exit(0) in the child + waitpid() in the parent, in a
// loop, timed by the parent (wall) and counted by a cpuacct cgroup (CPU), for a small C program and for Python
// processes as large as the runner's zygote.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, rmdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const exec = promisify(execFile);
const RUNNER_DIR = fileURLToPath(new URL('../../sandbox-images/python/', import.meta.url));

/** One floor: per fork, wall ms (in the parent) and CPU ms (parent and child, or null without a cgroup). */
export interface Floor {
  what: string;
  wallMs: number;
  cpuMs: number | null;
}

const C_SOURCE = `#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
int main(int argc, char **argv) {
  int n = atoi(argv[1]);
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  for (int i = 0; i < n; i++) {
    pid_t pid = fork();
    if (pid == 0) _exit(0);
    waitpid(pid, NULL, 0);
  }
  clock_gettime(CLOCK_MONOTONIC, &b);
  printf("%f\\n", ((b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6) / n);
  return 0;
}
`;

const PY_LOOP = `
import gc, os, sys, time
for name in sys.argv[2].split(",") if sys.argv[2] else []:
    __import__(name)
gc.collect(); gc.freeze()
n = int(sys.argv[1])
t = time.perf_counter()
for _ in range(n):
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
print((time.perf_counter() - t) * 1000 / n)
`;

/** Runs `cmd` in a cpuacct cgroup of its own; its stdout's number is wall ms per fork. */
async function measured(what: string, cmd: string, args: string[], n: number, env: NodeJS.ProcessEnv = {}): Promise<Floor> {
  let dir: string | null = `/sys/fs/cgroup/cpuacct/molrl-floor-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    mkdirSync(dir);
  } catch {
    dir = null;
  }
  const { stdout } = dir
    ? await exec('/bin/sh', ['-c', `echo $$ > ${dir}/cgroup.procs && exec "$@"`, 'sh', cmd, ...args], { env: { PATH: '/usr/bin:/bin', ...env } })
    : await exec(cmd, args, { env: { PATH: '/usr/bin:/bin', ...env } });
  let cpuMs: number | null = null;
  if (dir) {
    cpuMs = Number(readFileSync(`${dir}/cpuacct.usage`, 'utf8')) / 1e6 / n;
    try {
      rmdirSync(dir);
    } catch {
      // emptied by the kernel a moment later
    }
  }
  return { what, wallMs: Number(stdout.trim()), cpuMs };
}

/**
 * The floors: a small C program (when a C compiler is here), `python3 -S` with nothing imported, and python3 with
 * what the runner's zygote holds (the runner's modules and `preload`).
 */
export async function forkFloors(preload: readonly string[], n = 2000): Promise<Floor[]> {
  const out: Floor[] = [];
  const dir = mkdtempSync(`${tmpdir()}/molrl-floor-`);
  try {
    writeFileSync(`${dir}/floor.c`, C_SOURCE);
    try {
      await exec('cc', ['-O2', '-o', `${dir}/floor`, `${dir}/floor.c`]);
      out.push(await measured('C program (cc -O2)', `${dir}/floor`, [String(n)], n));
    } catch {
      // no C compiler: the Python floors only
    }
    writeFileSync(`${dir}/floor.py`, PY_LOOP);
    out.push(await measured('python3 -S, nothing imported', '/usr/bin/python3', ['-S', '-I', `${dir}/floor.py`, String(n), ''], n));
    const zygoteLike = ['runner', 'zygote', ...preload].join(',');
    out.push(await measured(`python3 holding the zygote's modules (runner + preload)`, '/usr/bin/python3', [`${dir}/floor.py`, String(n), zygoteLike], n, { PYTHONPATH: RUNNER_DIR, OPENBLAS_NUM_THREADS: '1' }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}
