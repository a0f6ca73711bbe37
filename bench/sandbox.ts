// npm run bench -- sandbox: executions/s of the sandbox backends against baselines measured in the same run: the
// bare host fork-server (runner.py on the host, no container) against the docker pool in alternating rounds, the
// fork()+waitpid floor of this machine, the zygote's preload list (none, the default, with numpy), `docker run
// --rm` per execution, and the CPU time of one run of the host fork-server against an older runner when
// MOLRL_BENCH_BASELINE_RUNNER names its file (e.g. `git show <commit>:sandbox-images/python/runner.py > /tmp/r.py`,
// with its zygote.py etc. beside it), and HumanEval canonical in mode 'tests' through `molrl score` (bench/lib/humaneval-score.ts).
import { execFile } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { promisify } from 'node:util';
import { createDockerSandbox, createIsolatedVmSandbox, createProcessSandbox, DEFAULT_DOCKER_IMAGE, type DockerSandbox, type RunRequest, type Sandbox } from '@molrl/sandbox';
import { meterDockerCpu, type DockerCpu } from './lib/docker-cpu.ts';
import { forkFloors, type Floor } from './lib/fork-floor.ts';
import { humanEvalScoreSection } from './lib/humaneval-score.ts';
import { ivmProfile, type Stage } from './lib/ivm-profile.ts';
import { makeCpuGroup, okStdout, removeGroup, RUNNER, startHostRunner, type HostRunner } from './lib/host-runner.ts';

const exec = promisify(execFile);
const IMAGE = DEFAULT_DOCKER_IMAGE;

const TRIVIAL = { code: 'print(sum(range(100)))', expected: '4950\n' };
const LOOP = { code: 's = 0\nfor i in range(10**6):\n    s += i\nprint(s)', expected: '499999500000\n' };
const IMPORTS = { code: 'from typing import List, Dict, Optional\nimport collections, heapq, itertools, functools, math, re, json\nprint(sum(range(100)))', expected: '4950\n' };
const NUMPY = { code: 'import numpy as np\nprint(int(np.arange(100).sum()))', expected: '4950\n' };
const JS_TRIVIAL = { code: 'let s = 0; for (let i = 0; i < 100; i++) s += i; console.log(s)', expected: '4950\n' };
const LIMITS = { timeoutMs: 10_000, memoryMb: 256, outputLimitBytes: 65_536 } as const;
/** The runner's default preload list (sandbox-images/python/zygote.py PRELOAD). */
const DEFAULT_PRELOAD = ['typing', 'collections', 'itertools', 'functools', 'math', 're', 'heapq', 'bisect', 'string', 'json', 'random'];

/** One measured row. */
interface Row {
  path: string;
  workload: string;
  concurrency: number;
  n: number;
  perSec: number;
  medianMs: number;
  /** CPU ms per execution by part (docker pool rows measured with a meter). */
  cpu?: DockerCpu;
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
  meter?: () => { stop(): DockerCpu },
): Promise<Row> {
  const warmup = Math.min(5, n);
  for (let i = 0; i < warmup; i++) await once(i % concurrency);
  const latencies: number[] = [];
  let next = 0;
  const m = meter?.();
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
  const perSec = n / ((performance.now() - t0) / 1000);
  const used = m?.stop();
  const cpu = used && { containers: used.containers === null ? null : used.containers / n, dockerd: used.dockerd / n, shims: used.shims / n, node: used.node / n };
  const row: Row = { path, workload, concurrency, n, perSec, medianMs: median(latencies), ...(cpu ? { cpu } : {}) };
  process.stderr.write(`  ${path} ${workload} c${concurrency}: ${row.perSec.toFixed(1)}/s, median ${row.medianMs.toFixed(2)} ms${cpu ? `, cpu ${cpuTotal(cpu).toFixed(2)} ms` : ''}\n`);
  return row;
}

const cpuTotal = (c: DockerCpu) => (c.containers ?? 0) + c.dockerd + c.shims + c.node;

/** The round with the median rate, its n counting every round, CPU the median of the rounds' parts. */
function medianRound(rounds: Row[]): Row {
  const sorted = [...rounds].sort((x, y) => x.perSec - y.perSec);
  const mid = sorted[Math.floor((sorted.length - 1) / 2)]!;
  const cpus = rounds.map((r) => r.cpu).filter((c): c is DockerCpu => c !== undefined);
  const cpu = cpus.length
    ? {
        containers: cpus.some((c) => c.containers === null) ? null : median(cpus.map((c) => c.containers!)),
        dockerd: median(cpus.map((c) => c.dockerd)),
        shims: median(cpus.map((c) => c.shims)),
        node: median(cpus.map((c) => c.node)),
      }
    : undefined;
  return { ...mid, n: rounds.reduce((sum, r) => sum + r.n, 0), medianMs: median(rounds.map((r) => r.medianMs)), ...(cpu ? { cpu } : {}) };
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

/** Rounds of the pool/fork-server comparison. */
const ROUNDS = 3;
const HOST = 'host fork-server (runner.py, no container)';
const HOST_GROUP = 'host fork-server in one cpu cgroup of weight 1024 (as docker\'s /docker)';
const POOL = 'docker pool';
const POOL_ATTACH = 'docker pool, requests over the attach stream (through dockerd)';

export default async function sandboxBench(): Promise<string> {
  const loadBefore = loadavg()[0]!;
  const rows: Row[] = [];
  const notes: string[] = [];
  let warmMs = NaN;

  // isolated-vm: a new context per evaluation.
  const ivm = await createIsolatedVmSandbox({ isolates: 2 });
  for (const c of [1, 2]) rows.push(await measure('isolated-vm (new context each)', 'trivial', c, 4000, JS_TRIVIAL.expected, () => viaSandbox(ivm, { language: 'javascript', code: JS_TRIVIAL.code })));
  await ivm.close();
  // Where an isolated-vm evaluation's time goes, stage by stage.
  const stages = await ivmProfile(JS_TRIVIAL.code);

  // process backend (process-unsafe): one bwrap'd subprocess per execution.
  const proc = await createProcessSandbox({ quiet: true });
  for (const c of [1, 2]) rows.push(await measure(`process backend${proc.bwrap ? ' (bwrap)' : ''}`, 'trivial', c, 100, TRIVIAL.expected, () => viaSandbox(proc, { language: 'python', code: TRIVIAL.code })));
  await proc.close();

  // The floor under every fork server here.
  const floors: Floor[] = await forkFloors(DEFAULT_PRELOAD);

  // The docker pool and the bare host fork-server are measured in alternating rounds, so that load from other
  // processes drifting during the run hits both alike; each row is the median round.
  const missing = await dockerProblem();
  if (missing) notes.push(`Docker rows not measured: ${missing}.`);
  let pool: DockerSandbox | null = null;
  let poolAttach: DockerSandbox | null = null;
  const runners: HostRunner[] = await Promise.all([startHostRunner(), startHostRunner()]);
  // The same two runners' twins in one cpu cgroup: the CPU share a pool's containers get on a loaded machine.
  const cpuGroup = makeCpuGroup();
  const grouped: HostRunner[] = await Promise.all([startHostRunner({ cpuGroup }), startHostRunner({ cpuGroup })]);
  try {
    if (!missing) {
      // Pool of 2 warm: from createSandbox() until the first execution has answered.
      const t0 = performance.now();
      pool = await createDockerSandbox({ image: IMAGE, poolSize: 2 });
      const first = await viaSandbox(pool, { language: 'python', code: TRIVIAL.code });
      warmMs = performance.now() - t0;
      if (first !== TRIVIAL.expected) throw new Error(`docker pool printed ${JSON.stringify(first)}`);
      // the same pool with requests over the containers' attach streams (the transport for remote daemons)
      poolAttach = await createDockerSandbox({ image: IMAGE, poolSize: 2, transport: 'attach' });
      const kinds = (p: DockerSandbox) => [...new Set(p.transports)].join(' and ');
      notes.push(`Transports: the \`docker pool\` rows' requests went over the ${kinds(pool)} (\`socket\`: the runner's unix socket bind-mounted from this machine, past dockerd and the shims; the default), the second pool's over the ${kinds(poolAttach)} stream.`);
    }
    const paths: Array<[string, (code: string, worker: number) => Promise<string>, (() => { stop(): DockerCpu }) | undefined]> = [
      [HOST, async (code, w) => okStdout(await runners[w]!.run({ code, ...LIMITS })), undefined],
      [HOST_GROUP, async (code, w) => okStdout(await grouped[w]!.run({ code, ...LIMITS })), undefined],
    ];
    if (pool) paths.push([POOL, (code) => viaSandbox(pool!, { language: 'python', code }), () => meterDockerCpu(pool!.containerIds)]);
    if (poolAttach) paths.push([POOL_ATTACH, (code) => viaSandbox(poolAttach!, { language: 'python', code }), () => meterDockerCpu(poolAttach!.containerIds)]);
    for (const c of [1, 2]) {
      for (const [workload, program, n, rounds] of [['trivial', TRIVIAL, 300, ROUNDS], ['loop 10^6', LOOP, 20, 2]] as const) {
        const byPath = new Map<string, Row[]>();
        for (let round = 0; round < rounds; round++) {
          for (const [path, once, meter] of paths) {
            const row = await measure(path, workload, c, n, program.expected, (w) => once(program.code, w), meter);
            byPath.set(path, [...(byPath.get(path) ?? []), row]);
          }
        }
        for (const list of byPath.values()) rows.push(medianRound(list));
      }
    }
  } finally {
    for (const r of [...runners, ...grouped]) await r.close();
    removeGroup(cpuGroup);
    await pool?.close();
    await poolAttach?.close();
  }

  // The zygote's preload list: pools with none, the default, and the default plus numpy, in alternating rounds.
  const preloadRows: Row[] = [];
  if (!missing) {
    const lists: Array<[string, string[]]> = [['preload: []', []], ['preload: default', DEFAULT_PRELOAD], ['preload: default + numpy', [...DEFAULT_PRELOAD, 'numpy']]];
    const pools = await Promise.all(lists.map(([, preload]) => createDockerSandbox({ image: IMAGE, poolSize: 2, preload })));
    try {
      for (const [workload, program, n] of [['trivial', TRIVIAL, 200], ['typing + 7 stdlib imports', IMPORTS, 200], ['import numpy', NUMPY, 40]] as const) {
        const byList = new Map<string, Row[]>();
        for (let round = 0; round < 2; round++) {
          for (const [i, [name]] of lists.entries()) {
            const p = pools[i]!;
            const row = await measure(`${POOL}, ${name}`, workload, 2, n, program.expected, () => viaSandbox(p, { language: 'python', code: program.code }), () => meterDockerCpu(p.containerIds));
            byList.set(name, [...(byList.get(name) ?? []), row]);
          }
        }
        for (const list of byList.values()) preloadRows.push(medianRound(list));
      }
    } finally {
      await Promise.all(pools.map((p) => p.close()));
    }
  }

  // HumanEval canonical in mode 'tests' through `molrl score` against sequential host `python3 -c`.
  const humanEval = missing ? [] : await humanEvalScoreSection();

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
      const runner = await startHostRunner({ runner: path, cgroup: true });
      try {
        for (let i = 0; i < 20; i++) await runner.run({ code: TRIVIAL.code, ...LIMITS });
        const before = runner.cpuMs();
        for (let i = 0; i < 300; i++) {
          const out = okStdout(await runner.run({ code: TRIVIAL.code, ...LIMITS }));
          if (out !== TRIVIAL.expected) throw new Error(`${path} printed ${JSON.stringify(out)}`);
        }
        const after = runner.cpuMs();
        if (before !== null && after !== null) cpu.set(name, [...(cpu.get(name) ?? []), (after - before) / 300]);
      } finally {
        await runner.close();
      }
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
  return [...humanEval, report(rows, preloadRows, floors, stages, warmMs, notes)].join('\n');
}

function cpuCells(r: Row | undefined): string {
  const c = r?.cpu;
  if (!c) return '| | | | | |';
  return `| ${c.containers === null ? 'n/a' : fmt(c.containers, 2)} | ${fmt(c.dockerd, 2)} | ${fmt(c.shims, 2)} | ${fmt(c.node, 2)} | ${fmt(cpuTotal(c), 2)} |`;
}

function report(rows: Row[], preloadRows: Row[], floors: Floor[], stages: Stage[], warmMs: number, notes: string[]): string {
  const lines = [
    'Python workloads: trivial `print(sum(range(100)))` and a 10^6-iteration loop; JavaScript: a 100-iteration loop. ',
    `Every execution's output is checked. c = concurrent clients. Docker pool and host fork-server rows: the median of ${ROUNDS} alternating rounds (2 for the loop), n summed.`,
    'CPU columns (docker pool rows): ms of CPU per execution spent in the pool\'s containers (runner, zygote, programs; cgroup cpuacct, exact), in dockerd and the containers\' containerd shims (/proc ticks of 10 ms, so ±0.05 ms over these counts), and in this Node process.',
    '',
    '| Path | Workload | c | n | exec/s | median ms | CPU: containers | dockerd | shims | node | total |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map((r) => `| ${r.path} | ${r.workload} | ${r.concurrency} | ${r.n} | ${fmt(r.perSec)} | ${fmt(r.medianMs, 2)} ${cpuCells(r)}`),
    '',
  ];
  if (preloadRows.length) {
    lines.push(
      "**The zygote's preload list** (`sandbox.docker.preload`): pools of 2, c = 2, 2 alternating rounds. `typing + 7 stdlib imports`: `from typing import List, Dict, Optional` and `import collections, heapq, itertools, functools, math, re, json`.",
      '',
      '| Pool | Workload | n | exec/s | median ms | CPU: containers | dockerd | shims | node | total |',
      '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|',
      ...preloadRows.map((r) => `| ${r.path.replace(`${POOL}, `, '')} | ${r.workload} | ${r.n} | ${fmt(r.perSec)} | ${fmt(r.medianMs, 2)} ${cpuCells(r)}`),
      '',
    );
  }
  lines.push(
    '**Fork floor** of this machine: `fork()`, `_exit(0)` in the child, `waitpid()` in the parent, 2,000 times; CPU of parent and child counted by a cpuacct cgroup.',
    '',
    '| Forking process | wall ms per fork | CPU ms per fork |',
    '|---|---:|---:|',
    ...floors.map((f) => `| ${f.what} | ${fmt(f.wallMs, 3)} | ${f.cpuMs === null ? 'n/a' : fmt(f.cpuMs, 3)} |`),
    '',
  );
  const ivm1 = find(rows, 'isolated-vm (new context each)', 'trivial', 1);
  lines.push(
    "**Where an isolated-vm evaluation's time goes** (the JavaScript trivial program; one isolate in this process, sequential, 2,000 each; bench/lib/ivm-profile.ts). " +
      `For comparison, one run through IsolatedVmSandbox at c = 1 took ${ivm1 ? fmt(1e6 / ivm1.perSec, 0) : 'n/a'} µs of wall time per evaluation.`,
    '',
    '| Stage | µs per operation |',
    '|---|---:|',
    ...stages.map((st) => `| ${st.what} | ${fmt(st.usPerOp, 0)} |`),
    '',
  );
  const pool1 = find(rows, POOL, 'trivial', 1);
  const pool2 = find(rows, POOL, 'trivial', 2);
  const host1 = find(rows, HOST, 'trivial', 1)?.perSec ?? NaN;
  const host2 = find(rows, HOST, 'trivial', 2)?.perSec ?? NaN;
  const grouped1 = find(rows, HOST_GROUP, 'trivial', 1)?.perSec ?? NaN;
  const grouped2 = find(rows, HOST_GROUP, 'trivial', 2)?.perSec ?? NaN;
  const run1 = find(rows, 'docker run --rm per execution', 'trivial', 1)?.perSec ?? NaN;
  const run2 = find(rows, 'docker run --rm per execution', 'trivial', 2)?.perSec ?? NaN;
  const ivm2 = find(rows, 'isolated-vm (new context each)', 'trivial', 2)?.perSec ?? NaN;
  const floorC = floors[0];
  const p2 = pool2?.perSec ?? NaN;
  if (pool1 && floorC) {
    const cpu = pool1.cpu ? cpuTotal(pool1.cpu) : NaN;
    lines.push(
      `**Per-execution overhead against the floor** (trivial program, c = 1): the pool's median latency ${fmt(pool1.medianMs, 2)} ms is ${fmt(pool1.medianMs / floorC.wallMs)}× the ${floorC.what} fork floor (${fmt(floorC.wallMs, 3)} ms) and ${fmt(pool1.medianMs - floorC.wallMs, 2)} ms above it; ` +
        `its CPU per execution ${fmt(cpu, 2)} ms is ${fmt(cpu / (floorC.cpuMs ?? NaN))}× the floor's ${floorC.cpuMs === null ? 'n/a' : fmt(floorC.cpuMs, 3)} ms` +
        (floors[2]?.cpuMs ? ` (and ${fmt(cpu / floors[2].cpuMs)}× the ${fmt(floors[2].cpuMs, 3)} ms of forking a process as large as the zygote).` : '.'),
      '',
    );
  }
  lines.push(
    '| Target | Measured | Verdict |',
    '|---|---:|---|',
    `| docker pool >= 0.8x the bare host fork-server, trivial, c=1 | ${fmt((pool1?.perSec ?? NaN) / host1, 2)}x | ${verdict((pool1?.perSec ?? NaN) / host1 >= 0.8)} |`,
    `| docker pool >= 0.8x the bare host fork-server, trivial, c=2 | ${fmt(p2 / host2, 2)}x | ${verdict(p2 / host2 >= 0.8)} |`,
    `| (not a target) docker pool over the attach stream / host fork-server, trivial, c=1 | ${fmt((find(rows, POOL_ATTACH, 'trivial', 1)?.perSec ?? NaN) / host1, 2)}x | |`,
    `| (not a target) the same at c=2 | ${fmt((find(rows, POOL_ATTACH, 'trivial', 2)?.perSec ?? NaN) / host2, 2)}x | |`,
    `| (not a target) docker pool / host fork-server with the same CPU weight (one cpu cgroup), trivial, c=1 | ${fmt((pool1?.perSec ?? NaN) / grouped1, 2)}x | |`,
    `| (not a target) the same at c=2 | ${fmt(p2 / grouped2, 2)}x | |`,
    `| isolated-vm, new context each, >= 3,000 eval/s (c=2) | ${fmt(ivm2)} /s | ${verdict(ivm2 >= 3000)} |`,
    `| docker pool trivial at c=2 >= 400 exec/s | ${fmt(p2)} /s | ${verdict(p2 >= 400)} |`,
    `| pool c=2 vs \`docker run --rm\` c=1 (sequential baseline) >= 80x | ${fmt(p2 / run1)}x | ${verdict(p2 / run1 >= 80)} |`,
    `| pool c=2 vs \`docker run --rm\` c=2 (same concurrency) >= 80x | ${fmt(p2 / run2)}x | ${verdict(p2 / run2 >= 80)} |`,
    `| pool of 2 warm (create to first answer) <= 1 s | ${fmt(warmMs / 1000, 2)} s | ${verdict(warmMs <= 1000)} |`,
  );
  if (notes.length) lines.push('', ...notes.map((n) => `- ${n}`));
  return lines.join('\n');
}
