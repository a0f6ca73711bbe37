// npm run bench -- sandbox: executions/s of the sandbox backends against baselines measured in the same run, and
// the CPU time of one run of the host fork-server (runner, zygote, program), against an older runner when
// MOLRL_BENCH_BASELINE_RUNNER names its file (e.g. `git show <commit>:sandbox-images/python/runner.py > /tmp/r.py`).
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmdirSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createIsolatedVmSandbox, createProcessSandbox, createSandbox, DEFAULT_DOCKER_IMAGE, type RunRequest, type Sandbox } from '@molrl/sandbox';

const exec = promisify(execFile);
const IMAGE = DEFAULT_DOCKER_IMAGE;
const RUNNER = fileURLToPath(new URL('../sandbox-images/python/runner.py', import.meta.url));

const TRIVIAL = { code: 'print(sum(range(100)))', expected: '4950\n' };
const LOOP = { code: 's = 0\nfor i in range(10**6):\n    s += i\nprint(s)', expected: '499999500000\n' };
const JS_TRIVIAL = { code: 'let s = 0; for (let i = 0; i < 100; i++) s += i; console.log(s)', expected: '4950\n' };
const LIMITS = { timeoutMs: 10_000, memoryMb: 256, outputLimitBytes: 65_536 } as const;

/** A client of sandbox-images/python/runner.py started on the host (NDJSON, one request at a time). */
interface HostRunner {
  run(code: string, limits: typeof LIMITS): Promise<string>;
  close(): void;
}

/** Starts the fork-server runner as a bare host process (no container) and waits for its ready line. */
async function startHostRunner(path: string): Promise<HostRunner> {
  const child = spawn('/usr/bin/python3', [path], { stdio: ['pipe', 'pipe', 'inherit'], env: { PATH: '/usr/bin:/bin', LANG: 'C.UTF-8' } });
  return hostRunner(child);
}

/** The cgroup v1 cpuacct hierarchy, where runners can be counted alone (root only). */
const CPUACCT = '/sys/fs/cgroup/cpuacct';

/**
 * CPU ms per trivial run of the host fork-server at `path`: everything it forks included (its zygote, the
 * programs), counted by a cpuacct cgroup of its own, so the figure hardly depends on other load. Null where the
 * cgroup cannot be made (not root, cgroup v2).
 */
async function cpuPerRun(path: string, n: number): Promise<number | null> {
  const dir = `${CPUACCT}/molrl-bench-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    mkdirSync(dir);
  } catch {
    return null;
  }
  const child = spawn('/bin/sh', ['-c', `echo $$ > ${dir}/cgroup.procs && exec /usr/bin/python3 "$0"`, path], { stdio: ['pipe', 'pipe', 'inherit'], env: { PATH: '/usr/bin:/bin', LANG: 'C.UTF-8' } });
  const runner = await hostRunner(child);
  try {
    for (let i = 0; i < 20; i++) await runner.run(TRIVIAL.code, LIMITS);
    const before = Number(readFileSync(`${dir}/cpuacct.usage`, 'utf8'));
    for (let i = 0; i < n; i++) {
      const out = await runner.run(TRIVIAL.code, LIMITS);
      if (out !== TRIVIAL.expected) throw new Error(`${path} printed ${JSON.stringify(out)}`);
    }
    return (Number(readFileSync(`${dir}/cpuacct.usage`, 'utf8')) - before) / n / 1e6;
  } finally {
    runner.close();
    await new Promise((r) => child.once('exit', r));
    try {
      rmdirSync(dir);
    } catch {
      // a straggler: the kernel removes an empty cgroup's directory only
    }
  }
}

async function hostRunner(child: ReturnType<typeof spawn>): Promise<HostRunner> {
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const next = async (): Promise<Record<string, unknown>> => {
    const { value, done } = await lines.next();
    if (done) throw new Error('the host runner exited');
    return JSON.parse(value as string) as Record<string, unknown>;
  };
  const ready = await next();
  if (ready.ready !== true) throw new Error(`host runner did not report ready: ${JSON.stringify(ready)}`);
  let id = 0;
  return {
    async run(code, limits) {
      id += 1;
      child.stdin!.write(`${JSON.stringify({ id, language: 'python', code, stdin: '', files: {}, marker: false, ...limits })}\n`);
      const res = await next();
      return res.status === 'ok' ? String(res.stdout) : `[${String(res.status)}] ${JSON.stringify(res.error ?? res.stderr)}`;
    },
    close() {
      child.stdin!.end();
      child.kill();
    },
  };
}

/** One measured row. */
interface Row {
  path: string;
  workload: string;
  concurrency: number;
  n: number;
  perSec: number;
  medianMs: number;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** Runs `once` n times with `concurrency` workers (worker i gets index i); every output must equal `expected`. */
async function measure(
  path: string,
  workload: string,
  concurrency: number,
  n: number,
  expected: string,
  once: (worker: number) => Promise<string>,
): Promise<Row> {
  const warmup = Math.min(5, n);
  for (let i = 0; i < warmup; i++) await once(i % concurrency);
  const latencies: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      while (next < n) {
        next += 1;
        const s = performance.now();
        const out = await once(worker);
        latencies.push(performance.now() - s);
        if (out !== expected) throw new Error(`${path} (${workload}) printed ${JSON.stringify(out.slice(0, 200))}, expected ${JSON.stringify(expected)}`);
      }
    }),
  );
  const row = { path, workload, concurrency, n, perSec: n / ((performance.now() - t0) / 1000), medianMs: median(latencies) };
  process.stderr.write(`  ${path} ${workload} c${concurrency}: ${row.perSec.toFixed(1)}/s, median ${row.medianMs.toFixed(2)} ms\n`);
  return row;
}

/** Rounds of the pool/fork-server comparison. */
const ROUNDS = 3;

/** The round with the median rate, its n counting every round. */
function medianRound(rounds: Row[]): Row {
  const sorted = [...rounds].sort((x, y) => x.perSec - y.perSec);
  const mid = sorted[Math.floor((sorted.length - 1) / 2)]!;
  return { ...mid, n: rounds.reduce((sum, r) => sum + r.n, 0), medianMs: median(rounds.map((r) => r.medianMs)) };
}

/** stdout of a sandbox run, or a description of why it is not ok (which then fails the output check). */
async function viaSandbox(sandbox: Sandbox, req: Omit<RunRequest, keyof typeof LIMITS>): Promise<string> {
  const r = await sandbox.run({ ...LIMITS, ...req });
  return r.status === 'ok' ? r.stdout : `[${r.status}] ${r.error?.message ?? r.stderr}`;
}

async function dockerProblem(): Promise<string | null> {
  try {
    await exec('docker', ['image', 'inspect', IMAGE]);
    return null;
  } catch (error) {
    return `Docker or ${IMAGE} unavailable (${(error as Error).message.split('\n')[0]}); run 'npm run setup'`;
  }
}

const fmt = (x: number, digits = 1) => (Number.isFinite(x) ? x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : 'n/a');
const find = (rows: Row[], path: string, workload: string, c: number) => rows.find((r) => r.path === path && r.workload === workload && r.concurrency === c);
const verdict = (ok: boolean) => (ok ? '**pass**' : '**miss**');

export default async function sandboxBench(): Promise<string> {
  const loadBefore = loadavg()[0]!;
  const rows: Row[] = [];
  const notes: string[] = [];
  let warmMs = NaN;

  // isolated-vm: a new context per evaluation, one isolate per worker.
  const ivm = await createIsolatedVmSandbox({ isolates: 2 });
  for (const c of [1, 2]) rows.push(await measure('isolated-vm (new context each)', 'trivial', c, 4000, JS_TRIVIAL.expected, () => viaSandbox(ivm, { language: 'javascript', code: JS_TRIVIAL.code })));
  await ivm.close();

  // process backend (process-unsafe): one bwrap'd subprocess per execution.
  const proc = await createProcessSandbox({ quiet: true });
  for (const c of [1, 2]) rows.push(await measure(`process backend${proc.bwrap ? ' (bwrap)' : ''}`, 'trivial', c, 100, TRIVIAL.expected, () => viaSandbox(proc, { language: 'python', code: TRIVIAL.code })));
  await proc.close();

  // The docker pool and the bare host fork-server (its floor) are measured in alternating rounds, so that load
  // from other processes drifting during the run hits both alike; each row is the median round.
  const missing = await dockerProblem();
  if (missing) notes.push(`Docker rows not measured: ${missing}.`);
  let pool: Sandbox | null = null;
  const runners: HostRunner[] = await Promise.all([startHostRunner(RUNNER), startHostRunner(RUNNER)]);
  try {
    if (!missing) {
      // Pool of 2 warm: from createSandbox() until the first execution has answered.
      const t0 = performance.now();
      pool = await createSandbox({ backend: 'docker', docker: { image: IMAGE, poolSize: 2 } });
      const first = await viaSandbox(pool, { language: 'python', code: TRIVIAL.code });
      warmMs = performance.now() - t0;
      if (first !== TRIVIAL.expected) throw new Error(`docker pool printed ${JSON.stringify(first)}`);
    }
    const paths: Array<[string, (code: string, worker: number) => Promise<string>]> = [
      ['host fork-server (runner.py)', (code, w) => runners[w]!.run(code, LIMITS)],
    ];
    if (pool) paths.push(['docker pool', (code) => viaSandbox(pool!, { language: 'python', code })]);
    for (const c of [1, 2]) {
      for (const [workload, program, n, rounds] of [['trivial', TRIVIAL, 400, ROUNDS], ['loop 10^6', LOOP, 20, 2]] as const) {
        const byPath = new Map<string, Row[]>();
        for (let round = 0; round < rounds; round++) {
          for (const [path, once] of paths) {
            const row = await measure(path, workload, c, n, program.expected, (w) => once(program.code, w));
            byPath.set(path, [...(byPath.get(path) ?? []), row]);
          }
        }
        for (const list of byPath.values()) rows.push(medianRound(list));
      }
    }
  } finally {
    for (const r of runners) r.close();
    await pool?.close();
  }

  if (!missing) {
    // Baseline: a fresh container per execution.
    const dockerRun = async (code: string) =>
      (await exec('docker', ['run', '--rm', '--network', 'none', '--memory', '256m', '--label', 'molrl-bench=1', IMAGE, 'python3', '-c', code])).stdout;
    for (const c of [1, 2]) rows.push(await measure('docker run --rm per execution', 'trivial', c, 30, TRIVIAL.expected, () => dockerRun(TRIVIAL.code)));
  }

  // CPU per run of the host fork-server, this runner against the baseline one, in alternating rounds.
  const baseline = process.env.MOLRL_BENCH_BASELINE_RUNNER;
  const cpu = new Map<string, number[]>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, path] of [['this runner (runner.py + zygote)', RUNNER], ...(baseline ? [[`baseline runner (${baseline})`, baseline]] : [])] as Array<[string, string]>) {
      const ms = await cpuPerRun(path, 300);
      if (ms !== null) cpu.set(name, [...(cpu.get(name) ?? []), ms]);
    }
  }
  if (cpu.size === 0) notes.push('CPU per run not measured: no cgroup v1 cpuacct hierarchy writable here (needs root).');
  else {
    const rowsCpu = [...cpu].map(([name, xs]) => [name, median(xs)] as const);
    notes.push(
      `CPU time per trivial run of the host fork-server (runner, zygote and program, counted by a cpuacct cgroup; median of ${ROUNDS} alternating rounds of 300): ` +
        rowsCpu.map(([name, ms]) => `${name} ${ms.toFixed(3)} ms`).join('; ') +
        (rowsCpu.length === 2 ? `; ratio ${(rowsCpu[0]![1] / rowsCpu[1]![1]).toFixed(2)}x.` : '.'),
    );
  }
  const loadAfter = loadavg()[0]!;
  notes.push(
    `1-minute load average ${loadBefore.toFixed(2)} before and ${loadAfter.toFixed(2)} after the run on ${availableParallelism()} cores: ` +
      'above ~1 other processes competed for the CPU and every exec/s figure is low by about that share.',
  );
  return report(rows, warmMs, notes);
}

function report(rows: Row[], warmMs: number, notes: string[]): string {
  const lines = [
    'Python workloads: trivial `print(sum(range(100)))` and a 10^6-iteration loop; JavaScript: a 100-iteration loop. ',
    `Every execution's output is checked. c = concurrent clients. Docker pool and host fork-server rows: the median of ${ROUNDS} alternating rounds (2 for the loop), n summed.`,
    '',
    '| Path | Workload | c | n | exec/s | median ms |',
    '|---|---|---:|---:|---:|---:|',
    ...rows.map((r) => `| ${r.path} | ${r.workload} | ${r.concurrency} | ${r.n} | ${fmt(r.perSec)} | ${fmt(r.medianMs, 2)} |`),
    '',
  ];
  const pool2 = find(rows, 'docker pool', 'trivial', 2)?.perSec ?? NaN;
  const run1 = find(rows, 'docker run --rm per execution', 'trivial', 1)?.perSec ?? NaN;
  const run2 = find(rows, 'docker run --rm per execution', 'trivial', 2)?.perSec ?? NaN;
  const host2 = find(rows, 'host fork-server (runner.py)', 'trivial', 2)?.perSec ?? NaN;
  const ivm2 = find(rows, 'isolated-vm (new context each)', 'trivial', 2)?.perSec ?? NaN;
  const vsRun = pool2 / run2;
  const vsHost = host2 / pool2;
  lines.push(
    '| Target | Measured | Verdict |',
    '|---|---:|---|',
    `| docker pool trivial at c=2 >= 400 exec/s | ${fmt(pool2)} /s | ${verdict(pool2 >= 400)} |`,
    `| pool c=2 vs \`docker run --rm\` c=1 (sequential baseline) >= 80x | ${fmt(pool2 / run1)}x | ${verdict(pool2 / run1 >= 80)} |`,
    `| pool c=2 vs \`docker run --rm\` c=2 (same concurrency) >= 80x | ${fmt(vsRun)}x | ${verdict(vsRun >= 80)} |`,
    `| pool within 1.5x of the host fork-server (c=2) | host/pool = ${fmt(vsHost, 2)}x | ${verdict(vsHost <= 1.5)} |`,
    `| isolated-vm, new context each, >= 3,000 eval/s (c=2) | ${fmt(ivm2)} /s | ${verdict(ivm2 >= 3000)} |`,
    `| pool of 2 warm (create to first answer) <= 1 s | ${fmt(warmMs / 1000, 2)} s | ${verdict(warmMs <= 1000)} |`,
  );
  if (notes.length) lines.push('', ...notes.map((n) => `- ${n}`));
  return lines.join('\n');
}
