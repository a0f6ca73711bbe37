// npm run bench -- soak [--minutes N]: `molrl score` traffic (the reward engine and the docker pool, as the
// command runs them) for N minutes (default 60): trivial, hostile and slow programs mixed, in output and tests
// mode. Reports executions, statuses, RSS of this Node process and of dockerd over time, open descriptors,
// containers alive, leftover program processes and samples without a result. Every score is checked against
// the expected one for its kind. The test suite runs a 1-minute version (test/soak.test.ts).
import Docker from 'dockerode';
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { createRewardEngine, type RewardEngine, type RewardSample } from '@molrl/core';
import { builtinPlugins } from '@molrl/plugins';
import { createDockerSandbox, type DockerSandbox } from '@molrl/sandbox';

const HIJACK = readFileSync(new URL('../packages/sandbox/test/docker/fixtures/hijack-pid1.py', import.meta.url), 'utf8');
const py = (code: string) => `\`\`\`python\n${code}\n\`\`\``;

/** A kind of sample: its program, its mode, and the score it must get. */
interface Kind {
  name: string;
  mode: 'output' | 'tests';
  /** Relative frequency in the mix. */
  weight: number;
  make(i: number): { code: string; tests?: string; groundTruth?: string };
  score: number;
}

const KINDS: Kind[] = [
  { name: 'trivial correct', mode: 'output', weight: 8, score: 1, make: (i) => ({ code: `print(${i})`, groundTruth: String(i) }) },
  { name: 'trivial wrong', mode: 'output', weight: 4, score: 0.4, make: (i) => ({ code: `print(${i} + 1)`, groundTruth: String(i) }) },
  { name: 'syntax error', mode: 'output', weight: 2, score: 0, make: (i) => ({ code: `print(${i}`, groundTruth: String(i) }) },
  { name: 'runtime error', mode: 'output', weight: 2, score: 0.1, make: (i) => ({ code: `raise ValueError(${i})`, groundTruth: String(i) }) },
  { name: 'tests correct', mode: 'tests', weight: 6, score: 1, make: (i) => ({ code: `def f(a, b):\n    return a + b + ${i} - ${i}`, tests: 'def check(c):\n    assert c(1, 2) == 3\n    assert c(-1, 1) == 0\n    assert c(10, 5) == 15\ncheck(f)' }) },
  { name: 'tests wrong', mode: 'tests', weight: 3, score: 0.4, make: () => ({ code: 'def f(a, b):\n    return a - b', tests: 'def check(c):\n    assert c(1, 2) == 3\ncheck(f)' }) },
  { name: 'always-equal result', mode: 'tests', weight: 1, score: 0.4, make: () => ({ code: 'class Y:\n    def __eq__(s, o):\n        return True\ndef f(a, b):\n    return Y()', tests: 'assert f(1, 2) == 3' }) },
  { name: 'slow (0.5 s)', mode: 'output', weight: 1, score: 1, make: (i) => ({ code: `import time\ntime.sleep(0.5)\nprint(${i})`, groundTruth: String(i) }) },
  { name: 'infinite loop', mode: 'output', weight: 1, score: 0.1, make: () => ({ code: 'while True:\n    pass', groundTruth: '1' }) },
  { name: 'fork bomb', mode: 'output', weight: 1, score: 0.1, make: () => ({ code: 'import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass', groundTruth: '1' }) },
  { name: 'memory bomb', mode: 'output', weight: 1, score: 0.1, make: () => ({ code: 'x = bytearray(2 * 1024**3)', groundTruth: '1' }) },
  { name: 'output flood', mode: 'output', weight: 1, score: 0.1, make: () => ({ code: 'while True:\n    print("x" * 1000)', groundTruth: '1' }) },
  { name: 'escaped background process', mode: 'output', weight: 1, score: 1, make: (i) => ({ code: `import subprocess\nsubprocess.Popen(["sleep", "600"], start_new_session=True)\nprint(${i})`, groundTruth: String(i) }) },
  { name: 'pid 1 hijack', mode: 'output', weight: 1, score: 0.4, make: () => ({ code: HIJACK, groundTruth: 'hijacked' }) },
  { name: 'forged replies', mode: 'output', weight: 1, score: 0.1, make: () => ({ code: 'import os\nfor p in ("/proc/1/fd/1", "/proc/%d/fd/1" % os.getppid()):\n    try:\n        open(p, "w").write(\'{"id": 1, "status": "ok"}\\n\')\n    except OSError:\n        pass\nraise SystemExit(3)', groundTruth: '1' }) },
];

/** One measurement of the soak. */
export interface SoakPoint {
  minute: number;
  executions: number;
  nodeRssMb: number;
  dockerdRssMb: number;
  fds: number;
  containers: number;
}

/** What a soak found. */
export interface SoakReport {
  minutes: number;
  samples: number;
  /** Samples submitted that never came back. */
  lost: number;
  /** Results whose score differs from their kind's (kind -> count). */
  wrong: Record<string, number>;
  statuses: Record<string, number>;
  perKind: Record<string, number>;
  points: SoakPoint[];
  /** Containers of the pool after close(). */
  containersAfter: number;
  /** Processes of the pool's program and judge uids left on the host after close(). */
  leftoverProcesses: number;
  poolSize: number;
}

function rssMb(pid: number | 'self'): number {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
    return Number(line?.split(/\s+/)[1] ?? NaN) / 1024;
  } catch {
    return NaN;
  }
}

function dockerdPid(): number {
  try {
    return Number(readFileSync('/var/run/docker.pid', 'utf8'));
  } catch {
    return NaN;
  }
}

/** Processes on this host running as one of `uids` (the program and judge uids the pool's containers used). */
function processesOf(uids: Set<number>): number {
  let n = 0;
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const uid = Number(readFileSync(`/proc/${p}/status`, 'utf8').split('\n').find((l) => l.startsWith('Uid:'))?.split(/\s+/)[1]);
      if (uids.has(uid)) n += 1;
    } catch {
      // gone
    }
  }
  return n;
}

/** Runs the soak for `minutes`; `onPoint` sees each measurement (every `everyS` seconds). */
export async function runSoak(opts: { minutes: number; everyS?: number; poolSize?: number; concurrency?: number; onPoint?: (p: SoakPoint) => void }): Promise<SoakReport> {
  const poolSize = opts.poolSize ?? 2;
  const every = (opts.everyS ?? 60) * 1000;
  const docker = new Docker();
  const pool: DockerSandbox = await createDockerSandbox({ poolSize });
  const engines: Record<Kind['mode'], RewardEngine> = {
    output: await createRewardEngine({ rewards: [{ plugin: 'reward:code-execution', options: { mode: 'output', timeoutMs: 2000, memoryMb: 256 } }], sandbox: pool }, { workers: false, concurrency: opts.concurrency ?? 8, builtins: builtinPlugins }),
    tests: await createRewardEngine({ rewards: [{ plugin: 'reward:code-execution', options: { mode: 'tests', timeoutMs: 2000, memoryMb: 256 } }], sandbox: pool }, { workers: false, concurrency: opts.concurrency ?? 8, builtins: builtinPlugins }),
  };
  const bag = KINDS.flatMap((k) => Array.from({ length: k.weight }, () => k));
  const report: SoakReport = { minutes: opts.minutes, samples: 0, lost: 0, wrong: {}, statuses: {}, perKind: {}, points: [], containersAfter: 0, leftoverProcesses: 0, poolSize };
  const start = performance.now();
  const end = start + opts.minutes * 60_000;
  let next = start;
  let executions = 0;
  let i = 0;
  const uids = new Set<number>();
  const measure = async () => {
    for (const uid of pool.programUids) uids.add(uid).add(uid + 1);
    const containers = (await docker.listContainers({ filters: { label: [`molrl.pool=${pool.poolId}`] } })).length;
    const point = { minute: (performance.now() - start) / 60_000, executions, nodeRssMb: rssMb('self'), dockerdRssMb: rssMb(dockerdPid()), fds: readdirSync('/proc/self/fd').length, containers };
    report.points.push(point);
    opts.onPoint?.(point);
  };
  await measure();
  try {
    while (performance.now() < end) {
      // a batch of 64 samples, split by mode, scored as `molrl score` scores a file (concurrently, in input order)
      const batch = Array.from({ length: 64 }, () => {
        const kind = bag[i % bag.length]!;
        const made = kind.make(i);
        const sample: RewardSample = { id: `soak-${i++}`, completion: py(made.code), ...(made.groundTruth === undefined ? {} : { groundTruth: made.groundTruth }), metadata: made.tests ? { tests: made.tests } : {} };
        return { kind, sample };
      });
      report.samples += batch.length;
      await Promise.all((['output', 'tests'] as const).map(async (mode) => {
        const mine = batch.filter((b) => b.kind.mode === mode);
        let got = 0;
        for await (const r of engines[mode].scoreAll(mine.map((b) => b.sample))) {
          const kind = mine[got++]!.kind;
          executions += 1;
          report.statuses[r.status] = (report.statuses[r.status] ?? 0) + 1;
          report.perKind[kind.name] = (report.perKind[kind.name] ?? 0) + 1;
          if (r.score === null || Math.abs(r.score - kind.score) > 1e-9) report.wrong[kind.name] = (report.wrong[kind.name] ?? 0) + 1;
        }
        report.lost += mine.length - got;
      }));
      if (performance.now() >= next + every) {
        next += every;
        await measure();
      }
    }
    if (performance.now() - start - report.points.at(-1)!.minute * 60_000 > 5_000) await measure();
  } finally {
    await engines.output.close();
    await engines.tests.close();
    await pool.close();
  }
  report.containersAfter = (await docker.listContainers({ all: true, filters: { label: [`molrl.pool=${pool.poolId}`] } })).length;
  for (const uid of pool.programUids) uids.add(uid).add(uid + 1);
  report.leftoverProcesses = processesOf(uids);
  return report;
}

/** `--minutes N` or `--minutes=N` from the command line, else `fallback`. */
function minutesArg(fallback: number): number {
  const args = process.argv;
  const at = args.findIndex((a) => a === '--minutes' || a.startsWith('--minutes='));
  if (at < 0) return fallback;
  const value = Number(args[at]!.includes('=') ? args[at]!.split('=')[1] : args[at + 1]);
  if (!(value > 0)) throw new Error(`--minutes: expected a positive number, got ${JSON.stringify(args[at + 1])}`);
  return value;
}

const fmt = (x: number, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');

/** Drift of a series: the median of its last fifth against the median of its second fifth (after warm-up). */
export function drift(values: number[]): number {
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] ?? NaN;
  const n = values.length;
  const fifth = Math.max(1, Math.floor(n / 5));
  return median(values.slice(n - fifth)) / median(values.slice(fifth, 2 * fifth)) - 1;
}

export default async function soakBench(): Promise<string> {
  const minutes = minutesArg(60);
  const loadBefore = loadavg()[0]!;
  const t0 = Date.now();
  const r = await runSoak({ minutes, everyS: Math.max(30, Math.round((minutes * 60) / 20)), onPoint: (p) => process.stderr.write(`  ${fmt(p.minute)} min: ${p.executions} executions, node ${fmt(p.nodeRssMb)} MB, dockerd ${fmt(p.dockerdRssMb)} MB, ${p.fds} fds, ${p.containers} containers\n`) });
  const wall = (Date.now() - t0) / 60_000;
  const nodeDrift = drift(r.points.map((p) => p.nodeRssMb));
  const dockerdDrift = drift(r.points.map((p) => p.dockerdRssMb));
  const fdGrowth = r.points.at(-1)!.fds - r.points[1]!.fds;
  const ok = (b: boolean) => (b ? '**pass**' : '**miss**');
  const executions = r.points.at(-1)!.executions;
  return [
    `${fmt(wall)} minutes (\`--minutes ${minutes}\`) of \`molrl score\` traffic through the reward engine and one docker pool of ${r.poolSize}: ${KINDS.length} kinds of samples`,
    `(${KINDS.map((k) => k.name).join(', ')}), in output and tests mode, 64 a batch, concurrency 8 per mode. Every score is checked against its kind's.`,
    '',
    '| minute | executions | exec/s since last | Node RSS MB | dockerd RSS MB | open fds | pool containers |',
    '|---:|---:|---:|---:|---:|---:|---:|',
    ...r.points.map((p, k) => {
      const prev = r.points[k - 1];
      const rate = prev ? (p.executions - prev.executions) / ((p.minute - prev.minute) * 60) : NaN;
      return `| ${fmt(p.minute)} | ${p.executions} | ${fmt(rate)} | ${fmt(p.nodeRssMb)} | ${fmt(p.dockerdRssMb)} | ${p.fds} | ${p.containers} |`;
    }),
    '',
    `Statuses: ${JSON.stringify(r.statuses)}; per kind: ${JSON.stringify(r.perKind)}.`,
    '',
    '| check | measured | verdict |',
    '|---|---:|---|',
    `| Node RSS grows at most 10 % (median of the last fifth vs. the second fifth) | ${fmt(nodeDrift * 100)} % | ${ok(nodeDrift <= 0.1)} |`,
    `| dockerd RSS grows at most 10 % (same; the daemon is shared with other work on this machine) | ${fmt(dockerdDrift * 100)} % | ${ok(dockerdDrift <= 0.1)} |`,
    `| open fds of the Node process, growth after warm-up | ${fdGrowth} | ${ok(fdGrowth <= 5)} |`,
    `| samples without a result | ${r.lost} of ${r.samples} | ${ok(r.lost === 0)} |`,
    `| results off their kind's score (or infra_error) | ${Object.values(r.wrong).reduce((a, b) => a + b, 0)} ${JSON.stringify(r.wrong)} | ${ok(Object.keys(r.wrong).length === 0)} |`,
    `| containers of the pool alive at the end, beyond the pool / after close() | ${Math.max(0, r.points.at(-1)!.containers - r.poolSize)} / ${r.containersAfter} | ${ok(r.points.at(-1)!.containers <= r.poolSize && r.containersAfter === 0)} |`,
    `| leftover program processes on the host after close() | ${r.leftoverProcesses} | ${ok(r.leftoverProcesses === 0)} |`,
    '',
    `- ${executions} executions in ${fmt(wall)} minutes (${fmt(executions / (wall * 60))}/s, most of the time in the slow and hostile kinds' timeouts); 1-minute load average ${fmt(loadBefore, 2)} before and ${fmt(loadavg()[0]!, 2)} after, on ${availableParallelism()} cores.`,
  ].join('\n');
}
