// npm run bench -- serve: `molrl serve` /run_code under load (autocannon on loopback, 64 connections) against the
// in-process docker pool rate measured in alternating rounds of the same run; latency percentiles, errors, and
// the server's memory over 50,000 requests.
import autocannon from 'autocannon';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createSandbox, DEFAULT_DOCKER_IMAGE, type Sandbox } from '@molrl/sandbox';

const CLI = fileURLToPath(new URL('../packages/cli/test/commands/fixtures/molrl-cli.ts', import.meta.url));
const CODE = 'print(sum(range(100)))';
const EXPECTED = '4950\n';
const CONNECTIONS = 64;
const POOL = 2;
const ROUNDS = 5;
const REQUESTS = Number(process.env.MOLRL_BENCH_SERVE_REQUESTS ?? 50_000);
const PER_ROUND = Math.ceil(REQUESTS / ROUNDS);
const BASELINE_RUNS = Math.ceil(PER_ROUND / 4);
const LIMITS = { timeoutMs: 10_000, memoryMb: 256, outputLimitBytes: 65_536 };

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
const fmt = (x: number, digits = 1) => x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const verdict = (ok: boolean) => (ok ? '**pass**' : '**miss**');

/** exec/s of `runs` trivial programs on the pool, called in-process by CONNECTIONS concurrent callers. */
async function inProcessRate(sandbox: Sandbox, runs: number): Promise<number> {
  const one = async () => {
    const r = await sandbox.run({ language: 'python', code: CODE, ...LIMITS });
    if (r.stdout !== EXPECTED) throw new Error(`in-process run gave ${JSON.stringify(r)}`);
  };
  let left = runs;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CONNECTIONS }, async () => {
    while (left-- > 0) await one();
  }));
  return runs / ((performance.now() - t0) / 1000);
}

/** Resident memory of a process, bytes (from /proc). */
function rss(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

interface Load {
  total: number;
  perSec: number;
  p50: number;
  p99: number;
  codes: Record<string, number>;
  otherErrors: number;
}

/** autocannon: `amount` requests over CONNECTIONS connections; `check` verifies each answer body. */
async function load(url: string, method: 'GET' | 'POST', body: string | undefined, amount: number, check: (text: string) => boolean): Promise<Load> {
  let wrong = 0;
  const result = await autocannon({
    url,
    method,
    headers: { 'content-type': 'application/json' },
    body,
    connections: CONNECTIONS,
    amount,
    timeout: 60,
    verifyBody: (text: string) => check(text) || (wrong++, false),
  } as autocannon.Options);
  const codes = Object.fromEntries(Object.entries((result as unknown as { statusCodeStats?: Record<string, { count: number }> }).statusCodeStats ?? {}).map(([k, v]) => [k, v.count]));
  const designed = (codes['429'] ?? 0) + (codes['504'] ?? 0);
  return {
    total: result.requests.total,
    perSec: result.requests.total / (result.duration || 1),
    p50: result.latency.p50,
    p99: result.latency.p99,
    codes,
    otherErrors: result.errors + result.timeouts + (result.non2xx - designed) + wrong,
  };
}

export default async function serveBench(): Promise<string> {
  const loadBefore = loadavg()[0]!;
  const dir = mkdtempSync(join(tmpdir(), 'molrl-bench-serve-'));
  const config = join(dir, 'rewards.json');
  writeFileSync(config, JSON.stringify({ rewards: [{ plugin: 'reward:code-execution' }], sandbox: { backend: 'docker', limits: LIMITS, docker: { image: DEFAULT_DOCKER_IMAGE, poolSize: POOL } } }));
  const child = spawn(process.execPath, ['--no-node-snapshot', '--conditions=molrl-src', '--disable-warning=ExperimentalWarning', CLI, 'serve', '--config', config, '--port', '0', '--json'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = once(child, 'exit');
  const sandbox = await createSandbox({ backend: 'docker', docker: { image: DEFAULT_DOCKER_IMAGE, poolSize: POOL } });
  try {
    const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
    const { url, pid } = JSON.parse(line) as { url: string; pid: number };
    const body = JSON.stringify({ code: CODE, language: 'python', run_timeout: 10 });
    const runOk = (text: string) => (JSON.parse(text) as { run_result?: { stdout?: string } }).run_result?.stdout === EXPECTED;

    await inProcessRate(sandbox, 200);
    await load(`${url}/run_code`, 'POST', body, 2000, runOk); // warm-up: JIT, connections, pool
    const ping = await load(`${url}/v1/ping`, 'GET', undefined, 20_000, (t) => t === '"pong"');
    process.stderr.write(`  GET /v1/ping: ${fmt(ping.perSec)}/s\n`);
    const warm = rss(pid);
    const memory: number[] = [warm];
    const timer = setInterval(() => memory.push(rss(pid)), 2000);
    const baselines: number[] = [];
    const rounds: Load[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      baselines.push(await inProcessRate(sandbox, BASELINE_RUNS));
      rounds.push(await load(`${url}/run_code`, 'POST', body, PER_ROUND, runOk));
      process.stderr.write(`  round ${i + 1}/${ROUNDS}: in-process ${fmt(baselines.at(-1)!)} exec/s, served ${fmt(rounds.at(-1)!.perSec)} req/s (p50 ${rounds.at(-1)!.p50} ms)\n`);
    }
    clearInterval(timer);
    const end = rss(pid);
    memory.push(end);
    const loadAfter = loadavg()[0]!;

    const total = rounds.reduce((s, r) => s + r.total, 0);
    const baseline = median(baselines);
    const served = median(rounds.map((r) => r.perSec));
    const ratio = served / baseline;
    const codes: Record<string, number> = {};
    for (const r of rounds) for (const [k, v] of Object.entries(r.codes)) codes[k] = (codes[k] ?? 0) + v;
    const designed = (codes['429'] ?? 0) + (codes['504'] ?? 0);
    const otherErrors = rounds.reduce((s, r) => s + r.otherErrors, 0);
    const fifth = Math.max(1, Math.floor(memory.length / 5));
    const early = median(memory.slice(0, fifth));
    const late = median(memory.slice(-fifth));
    const growth = (late - early) / early;
    const mb = (b: number) => fmt(b / 2 ** 20, 1);
    return [
      `\`POST /run_code\` with \`${CODE}\` (every answer's stdout checked), docker pool of ${POOL} containers, \`molrl serve\` in its own`,
      `process with its default limits (concurrency 64, queue 256), load from autocannon on loopback with ${CONNECTIONS} connections.`,
      `Baseline: a second pool of ${POOL} containers called in-process by ${CONNECTIONS} concurrent callers. ${ROUNDS} alternating rounds`,
      `(${BASELINE_RUNS} in-process runs, then ${PER_ROUND} served requests); rates are the medians of the rounds, latencies the median`,
      `round's percentiles. The load generator, the server, dockerd and the containers share the machine's cores.`,
      '',
      '| Path | c | requests | req/s | p50 ms | p99 ms | errors |',
      '|---|---:|---:|---:|---:|---:|---:|',
      `| in-process docker pool (baseline) | ${CONNECTIONS} | ${BASELINE_RUNS * ROUNDS} | ${fmt(baseline)} | | | 0 |`,
      `| molrl serve POST /run_code | ${CONNECTIONS} | ${total} | ${fmt(served)} | ${median(rounds.map((r) => r.p50))} | ${median(rounds.map((r) => r.p99))} | ${otherErrors} |`,
      `| molrl serve GET /v1/ping (HTTP floor, no sandbox) | ${CONNECTIONS} | ${ping.total} | ${fmt(ping.perSec)} | ${ping.p50} | ${ping.p99} | ${ping.otherErrors} |`,
      '',
      `Rounds (in-process exec/s / served req/s): ${baselines.map((b, i) => `${fmt(b)} / ${fmt(rounds[i].perSec)}`).join('; ')}.`,
      `HTTP statuses of /run_code: ${Object.entries(codes).map(([k, v]) => `${k}: ${v}`).join(', ')} (designed 429/504: ${designed}).`,
      `Server resident memory (sampled every 2 s): ${mb(warm)} MiB after the warm-up, median ${mb(early)} MiB over the first fifth of the`,
      `rounds and ${mb(late)} MiB over the last fifth (${fmt(growth * 100, 1)} %), ${mb(end)} MiB at the end, peak ${mb(Math.max(...memory))} MiB.`,
      '',
      '| Target | Measured | Verdict |',
      '|---|---:|---|',
      `| throughput >= 0.8x the in-process pool rate | ${fmt(ratio, 2)}x | ${verdict(ratio >= 0.8)} |`,
      `| zero errors other than designed 429/504 | ${otherErrors} | ${verdict(otherErrors === 0)} |`,
      `| server memory flat over ${total} requests (last fifth within 10 % of the first) | ${fmt(growth * 100, 1)} % | ${verdict(growth < 0.1)} |`,
      '',
      `- 1-minute load average ${loadBefore.toFixed(2)} before and ${loadAfter.toFixed(2)} after the run on ${availableParallelism()} cores.`,
    ].join('\n');
  } finally {
    await sandbox.close();
    child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  }
}
