// npm run bench -- io: reward:code-execution in mode io on a CodeContests-shaped set generated here (200 problems x
// 10 stdin/stdout cases, a correct Python and C++ solution each): cases/s through the reward engine on the docker
// pool, against the same programs run one after another on the host (python3; g++ -O2 then the binary) in the
// same run. Every sample must score 1.0, every host output must match.
import { execFile, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createRewardEngine, type RewardSample } from '@molrl/core';
import { createSandbox, DEFAULT_DOCKER_IMAGE, DEFAULT_LANGUAGES_IMAGE, type Sandbox } from '@molrl/sandbox';
import { generateProblems, type Problem } from './data/codecontests-like.ts';

const exec = promisify(execFile);
const PROBLEMS = Number(process.env.MOLRL_BENCH_IO_PROBLEMS ?? 200);
const CASES = 10;
/** Problems of the host baseline (a subset: its rate is what counts, and g++ one at a time is slow). */
const HOST_PROBLEMS = Math.min(PROBLEMS, 40);
const POOL = Number(process.env.MOLRL_BENCH_IO_POOL ?? 2);
const OPTIONS = { mode: 'io', timeoutMs: 10_000, memoryMb: 256, compileTimeoutMs: 60_000, caseConcurrency: 4 } as const;
/** Samples in flight: enough to keep every container busy (x cases each); more only lengthens each sample's wait. */
const ENGINE = { workers: false, concurrency: 4 * POOL, sampleTimeoutMs: 600_000 } as const;

interface Row {
  path: string;
  language: string;
  samples: number;
  cases: number;
  seconds: number;
  compiles?: number;
}

const sample = (p: Problem, language: 'python' | 'cpp', suffix = ''): RewardSample => ({
  id: `${p.id}-${language}${suffix}`,
  promptId: p.id,
  completion: `Solution:\n\`\`\`${language}\n${language === 'python' ? p.python : p.cpp}\n\`\`\`\n`,
  groundTruth: p.cases,
  metadata: { language },
});

async function imagePresent(image: string): Promise<boolean> {
  try {
    await exec('docker', ['image', 'inspect', image]);
    return true;
  } catch {
    return false;
  }
}

/** Scores `samples` through the engine; every sample must score 1. */
async function throughEngine(path: string, language: string, sandbox: Sandbox, samples: RewardSample[]): Promise<Row> {
  const engine = await createRewardEngine({ rewards: [{ plugin: 'reward:code-execution', options: OPTIONS }], sandbox }, ENGINE);
  const compilesBefore = (sandbox as unknown as { compiles?: number }).compiles ?? 0;
  const t0 = performance.now();
  try {
    for await (const scored of engine.scoreAll(samples)) {
      if (scored.score !== 1) throw new Error(`${scored.id} scored ${scored.score}: ${JSON.stringify(scored.rewards).slice(0, 600)}`);
    }
  } finally {
    await engine.close();
  }
  const seconds = (performance.now() - t0) / 1000;
  const compiles = ((sandbox as unknown as { compiles?: number }).compiles ?? 0) - compilesBefore;
  const row = { path, language, samples: samples.length, cases: samples.length * CASES, seconds, ...(language === 'cpp' ? { compiles } : {}) };
  process.stderr.write(`  ${path} ${language}: ${(row.cases / seconds).toFixed(1)} cases/s (${seconds.toFixed(1)} s)\n`);
  return row;
}

function runHost(cmd: string, args: string[], stdin: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'inherit'] });
    const out: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(Buffer.concat(out).toString()) : reject(new Error(`${cmd} exited ${code}`))));
    child.stdin.end(stdin);
  });
}

/** The baseline: each program on the host, one process after another (C++: g++ -O2 once per problem, then the binary per case). */
async function onHost(language: 'python' | 'cpp', problems: Problem[]): Promise<Row> {
  const dir = mkdtempSync(join(tmpdir(), 'molrl-bench-io-'));
  const t0 = performance.now();
  try {
    for (const p of problems) {
      let cmd: string;
      let args: string[];
      if (language === 'python') {
        writeFileSync(join(dir, 'main.py'), p.python);
        [cmd, args] = ['/usr/bin/python3', [join(dir, 'main.py')]];
      } else {
        writeFileSync(join(dir, 'main.cpp'), p.cpp);
        execFileSync('g++', ['-O2', '-std=gnu++17', '-pipe', '-o', join(dir, 'main'), join(dir, 'main.cpp')]);
        [cmd, args] = [join(dir, 'main'), []];
      }
      for (const c of p.cases) {
        const out = await runHost(cmd, args, c.stdin);
        if (out !== c.expected) throw new Error(`host ${language} ${p.id} printed ${JSON.stringify(out.slice(0, 100))}, expected ${JSON.stringify(c.expected.slice(0, 100))}`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const seconds = (performance.now() - t0) / 1000;
  const row = { path: 'host, sequential (baseline)', language, samples: problems.length, cases: problems.length * CASES, seconds };
  process.stderr.write(`  host ${language}: ${(row.cases / seconds).toFixed(1)} cases/s\n`);
  return row;
}

const rate = (r: Row) => r.cases / r.seconds;
const fmt = (x: number, digits = 1) => x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

export default async function ioBench(): Promise<string> {
  const loadBefore = loadavg()[0]!;
  const problems = generateProblems(PROBLEMS, CASES);
  const notes: string[] = [];
  const rows: Row[] = [];
  const haveLanguages = await imagePresent(DEFAULT_LANGUAGES_IMAGE);
  if (!(await imagePresent(DEFAULT_DOCKER_IMAGE))) throw new Error(`${DEFAULT_DOCKER_IMAGE} is missing: run 'npm run setup'`);
  if (!haveLanguages) notes.push(`C++ rows not measured: ${DEFAULT_LANGUAGES_IMAGE} is missing ('npm run setup -- --languages all' builds it).`);

  const sandbox = await createSandbox({ backend: 'docker', docker: { poolSize: POOL } });
  try {
    if (haveLanguages) await sandbox.run({ language: 'cpp', code: 'int main() {}', timeoutMs: 5000, memoryMb: 64, outputLimitBytes: 1024 }); // start the second pool
    rows.push(await throughEngine(`docker pool of ${POOL}, mode io`, 'python', sandbox, problems.map((p) => sample(p, 'python'))));
    if (haveLanguages) {
      rows.push(await throughEngine(`docker pool of ${POOL}, mode io (compiles: cold cache)`, 'cpp', sandbox, problems.map((p) => sample(p, 'cpp'))));
      rows.push(await throughEngine(`docker pool of ${POOL}, mode io (binaries cached)`, 'cpp', sandbox, problems.map((p) => sample(p, 'cpp', '-again'))));
    }
  } finally {
    await sandbox.close();
  }
  const hostPy = await onHost('python', problems.slice(0, HOST_PROBLEMS));
  rows.push(hostPy);
  let hostCpp: Row | null = null;
  try {
    execFileSync('g++', ['--version'], { stdio: 'ignore' });
    hostCpp = await onHost('cpp', problems.slice(0, HOST_PROBLEMS));
    rows.push(hostCpp);
  } catch (error) {
    notes.push(`host C++ baseline not measured: ${(error as Error).message.split('\n')[0]}`);
  }

  const loadAfter = loadavg()[0]!;
  const base = (language: string) => (language === 'python' ? hostPy : hostCpp);
  const lines = [
    `A CodeContests-shaped set generated by \`bench/data/codecontests-like.ts\` (seeded): ${PROBLEMS} problems × ${CASES} stdin/stdout cases, ten problem kinds (sums, prefix-sum queries, sieve, LIS, ...; inputs up to 200 kB), a correct Python and C++ solution per problem, each source distinct.`,
    `Docker rows: \`reward:code-execution\` with \`${JSON.stringify(OPTIONS)}\` through the reward engine (in-process, ${ENGINE.concurrency} samples at once) on one docker sandbox (Python image plus the multi-language pool, ${POOL} containers each, 1 CPU each); every sample must score 1.0. The C++ rows include one compile per sample (g++ -O2 in the sandbox); the second C++ pass scores the same programs again, so the binaries come from the pool's compile cache. Host rows: the same programs one process after another on this machine without any sandbox (C++: g++ -O2 once per problem, then the binary per case), on the first ${HOST_PROBLEMS} problems.`,
    '',
    '| Path | Language | samples | cases | seconds | cases/s | vs host sequential |',
    '|---|---|---:|---:|---:|---:|---:|',
    ...rows.map((r) => {
      const b = base(r.language);
      const ratio = b && b !== r ? `${fmt(rate(r) / rate(b), 2)}×` : '—';
      return `| ${r.path}${r.compiles !== undefined ? ` [${r.compiles} compiles]` : ''} | ${r.language} | ${r.samples} | ${r.cases} | ${fmt(r.seconds)} | ${fmt(rate(r))} | ${ratio} |`;
    }),
    '',
    `1-minute load average ${loadBefore.toFixed(2)} before and ${loadAfter.toFixed(2)} after, on ${availableParallelism()} cores (other processes share this machine).`,
    ...notes,
  ];
  return lines.join('\n');
}
