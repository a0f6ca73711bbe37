// npm run bench -- serve: `molrl serve` /run_code under load (autocannon on loopback, 64 connections) against the
// in-process docker pool rate measured in the same run; latency percentiles, errors, server memory over 50,000 requests.
import autocannon from 'autocannon';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createSandbox, DEFAULT_DOCKER_IMAGE } from '@molrl/sandbox';

const CLI = fileURLToPath(new URL('../packages/cli/test/commands/fixtures/molrl-cli.ts', import.meta.url));
const CODE = 'print(sum(range(100)))';
const EXPECTED = '4950\n';
const CONNECTIONS = 64;
const POOL = 2;
const REQUESTS = Number(process.env.MOLRL_BENCH_SERVE_REQUESTS ?? 50_000);
const BASELINE_RUNS = 4000;
const LIMITS = { timeoutMs: 10_000, memoryMb: 256, outputLimitBytes: 65_536 };

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
const fmt = (x: number, digits = 1) => x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const verdict = (ok: boolean) => (ok ? '**pass**' : '**miss**');

/** exec/s of the docker pool called in-process by CONNECTIONS concurrent callers (the server's ceiling). */
async function inProcessRate(): Promise<number> {
  const sandbox = await createSandbox({ backend: 'docker', docker: { image: DEFAULT_DOCKER_IMAGE, poolSize: POOL } });
  try {
    const once = async () => {
      const r = await sandbox.run({ language: 'python', code: CODE, ...LIMITS });
      if (r.stdout !== EXPECTED) throw new Error(`in-process run printed ${JSON.stringify(r)}`);
    };
    for (let i = 0; i < 50; i++) await once();
    let left = BASELINE_RUNS;
    const t0 = performance.now();
    await Promise.all(Array.from({ length: CONNECTIONS }, async () => {
      while (left-- > 0) await once();
    }));
    return BASELINE_RUNS / ((performance.now() - t0) / 1000);
  } finally {
    await sandbox.close();
  }
}

/** Resident memory of a process, bytes (from /proc). */
function rss(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

export default async function serveBench(): Promise<string> {
  const loadBefore = loadavg()[0]!;
  process.stderr.write(`  in-process docker pool (${POOL} containers), ${CONNECTIONS} callers, ${BASELINE_RUNS} runs\n`);
  const baseline = await inProcessRate();
  process.stderr.write(`  in-process: ${fmt(baseline)} exec/s\n`);

  const dir = mkdtempSync(join(tmpdir(), 'molrl-bench-serve-'));
  const config = join(dir, 'rewards.json');
  writeFileSync(config, JSON.stringify({ rewards: [{ plugin: 'reward:code-execution' }], sandbox: { backend: 'docker', limits: LIMITS, docker: { image: DEFAULT_DOCKER_IMAGE, poolSize: POOL } } }));
  const child = spawn(process.execPath, ['--no-node-snapshot', '--conditions=molrl-src', '--disable-warning=ExperimentalWarning', CLI, 'serve', '--config', config, '--port', '0', '--json'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = once(child, 'exit');
  try {
    const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
    const { url, pid } = JSON.parse(line) as { url: string; pid: number };
    const body = JSON.stringify({ code: CODE, language: 'python', run_timeout: 10 });
    let wrong = 0;
    const run = (amount: number) =>
      autocannon({
        url: `${url}/run_code`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        connections: CONNECTIONS,
        amount,
        timeout: 60,
        verifyBody: (text: string) => {
          const ok = (JSON.parse(text) as { status?: string; run_result?: { stdout?: string } }).run_result?.stdout === EXPECTED;
          if (!ok) wrong++;
          return ok;
        },
      } as autocannon.Options);
    await run(2000); // warm-up: JIT, connections, pool
    const warm = rss(pid);
    const samples: number[] = [warm];
    const timer = setInterval(() => samples.push(rss(pid)), 2000);
    process.stderr.write(`  autocannon: ${REQUESTS} POST /run_code, ${CONNECTIONS} connections\n`);
    const result = await run(REQUESTS);
    clearInterval(timer);
    const end = rss(pid);
    samples.push(end);
    const loadAfter = loadavg()[0]!;
    const total = result.requests.total;
    const perSec = total / (result.duration || 1);
    const codes = Object.fromEntries(Object.entries((result as unknown as { statusCodeStats?: Record<string, { count: number }> }).statusCodeStats ?? {}).map(([k, v]) => [k, v.count]));
    const designed = (codes['429'] ?? 0) + (codes['504'] ?? 0);
    const otherErrors = result.errors + result.timeouts + (result.non2xx - designed) + wrong;
    const ratio = perSec / baseline;
    const mb = (b: number) => fmt(b / 2 ** 20, 1);
    const peak = Math.max(...samples);
    // flat: the resident size over the last fifth of the run against the first fifth (medians of 2-s samples)
    const fifth = Math.max(1, Math.floor(samples.length / 5));
    const early = median(samples.slice(0, fifth));
    const late = median(samples.slice(-fifth));
    const growth = (late - early) / early;
    process.stderr.write(`  served ${total} in ${result.duration.toFixed(1)} s: ${fmt(perSec)}/s (${fmt(ratio, 2)}x in-process), p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms\n`);
    return [
      `\`POST /run_code\` with \`${CODE}\` (every answer's stdout checked), docker pool of ${POOL} containers, \`molrl serve\` in its own process`,
      `(default limits: concurrency 64, queue 256), load from autocannon on loopback with ${CONNECTIONS} connections. Baseline: the same pool`,
      `called in-process by ${CONNECTIONS} concurrent callers in the same run (${BASELINE_RUNS} runs). The load generator, the server, dockerd`,
      'and the containers share the 2 cores.',
      '',
      '| Path | c | requests | req/s | p50 ms | p99 ms | errors |',
      '|---|---:|---:|---:|---:|---:|---:|',
      `| in-process docker pool (baseline) | ${CONNECTIONS} | ${BASELINE_RUNS} | ${fmt(baseline)} | | | 0 |`,
      `| molrl serve /run_code | ${CONNECTIONS} | ${total} | ${fmt(perSec)} | ${result.latency.p50} | ${result.latency.p99} | ${otherErrors} |`,
      '',
      `HTTP statuses: ${Object.entries(codes).map(([k, v]) => `${k}: ${v}`).join(', ')} (designed 429/504: ${designed}).`,
      `Server resident memory (sampled every 2 s): ${mb(warm)} MiB after a 2,000-request warm-up, median ${mb(early)} MiB over the first fifth of the run and ${mb(late)} MiB over the last fifth (${fmt(growth * 100, 1)} %), ${mb(end)} MiB at the end, peak ${mb(peak)} MiB.`,
      '',
      '| Target (issue 15) | Measured | Verdict |',
      '|---|---:|---|',
      `| throughput >= 0.8x the in-process pool rate | ${fmt(ratio, 2)}x | ${verdict(ratio >= 0.8)} |`,
      `| zero errors other than designed 429/504 | ${otherErrors} | ${verdict(otherErrors === 0)} |`,
      `| server memory flat over ${total} requests (last fifth within 10 % of the first) | ${fmt(growth * 100, 1)} % | ${verdict(growth < 0.1)} |`,
      '',
      `- 1-minute load average ${loadBefore.toFixed(2)} before and ${loadAfter.toFixed(2)} after the run on 2 cores.`,
    ].join('\n');
  } finally {
    child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  }
}
