// Tests of `molrl score`: output in input order, bad lines by number, invalid config (exit 2) with every path.
import { deepStrictEqual, match, ok, strictEqual } from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../../../../test/helpers/run-cli.ts';

const entry = fileURLToPath(new URL('./fixtures/molrl-cli.ts', import.meta.url));
const echo = fileURLToPath(new URL('../../../core/test/rewards/fixtures/echo-plugin.ts', import.meta.url));

function molrl(args: string[]) {
  const r = spawnSync(process.execPath, ['--conditions=molrl-src', '--disable-warning=ExperimentalWarning', entry, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('molrl score', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'molrl-score-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };

  it('prints one JSON line per sample in input order and reports bad lines by number', () => {
    const config = write('c.json', JSON.stringify({ rewards: [{ plugin: echo, options: { bonus: 1 } }, { plugin: echo, weight: 0.5 }], sandbox: { backend: 'process' } }));
    const lines = ['{"id":"a","completion":"","metadata":{"score":1}}', 'not json', '{"id":"b","completion":"","metadata":{"score":null}}', '{"completion":"x"}', '{"id":"c","completion":"","metadata":{"action":"throw"}}'];
    const samples = write('s.jsonl', lines.join('\n') + '\n');
    const r = molrl(['score', '--config', config, '--samples', samples, '--json', '--concurrency', '2']);
    strictEqual(r.code, 1, r.stderr);
    const out = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: string; score: number | null; status: string; rewards: Record<string, { score: number | null }> });
    deepStrictEqual(out.map((o) => [o.id, o.score, o.status]), [['a', 2.5, 'ok'], ['b', null, 'abstain'], ['c', null, 'plugin_error']]);
    deepStrictEqual(Object.keys(out[0].rewards), ['test:echo', 'test:echo#2']);
    match(r.stderr, /s\.jsonl:2: /);
    match(r.stderr, /s\.jsonl:4: /);
    const summary = JSON.parse(r.stderr.trim().split('\n').pop()!) as { summary: { samples: number; invalidLines: number; statuses: Record<string, number>; mean: number } };
    deepStrictEqual([summary.summary.samples, summary.summary.invalidLines, summary.summary.statuses, summary.summary.mean], [3, 2, { ok: 1, abstain: 1, infra_error: 0, plugin_error: 1 }, 2.5]);
  });

  it('exits 2 listing every config problem with its path', () => {
    const config = write('bad.json', JSON.stringify({ rewards: [{ plugin: echo, weight: 'x' }], sandbox: { backend: 'nope' } }));
    const samples = write('ok.jsonl', '{"id":"a","completion":""}\n');
    const r = molrl(['score', '--config', config, '--samples', samples, '--json']);
    strictEqual(r.code, 2);
    const error = (JSON.parse(r.stderr.trim().split('\n').pop()!) as { error: { code: string; details: { problems: string[] } } }).error;
    strictEqual(error.code, 'CONFIG_INVALID');
    ok(error.details.problems.some((p) => p.startsWith('rewards[0].weight:')), error.details.problems.join('\n'));
    ok(error.details.problems.some((p) => p.startsWith('sandbox.backend:')), error.details.problems.join('\n'));
  });

  it('exits 2 with PLUGIN_OPTIONS_INVALID and the option path for bad plugin options', () => {
    const config = write('opts.yaml', `rewards:\n  - plugin: ${echo}\n    options: { bonus: 11 }\nsandbox: { backend: process }\n`);
    const samples = write('ok2.jsonl', '{"id":"a","completion":""}\n');
    const r = molrl(['score', '--config', config, '--samples', samples, '--json']);
    strictEqual(r.code, 2);
    const error = (JSON.parse(r.stderr.trim().split('\n').pop()!) as { error: { code: string; path: string } }).error;
    deepStrictEqual([error.code, error.path], ['PLUGIN_OPTIONS_INVALID', 'rewards[0].options.bonus']);
  });

  it("reads standard input with --samples - and keeps ids above 2^53 and 1e400 exactly", async () => {
    const config = write('stdin.json', JSON.stringify({ rewards: [{ plugin: echo }], sandbox: { backend: 'process' } }));
    const input = ['{"id":12345678901234567890,"completion":"","metadata":{"score":1}}', '{"id":1e400,"completion":"","metadata":{"score":0}}'].join('\n') + '\n';
    const run = await runCli(['score', '--config', config, '--samples', '-', '--json', '--workers', '0'], { input });
    strictEqual(run.code, 0, run.stderr);
    deepStrictEqual(run.stdout.trim().split('\n').map((l) => [(JSON.parse(l) as { id: string }).id, (JSON.parse(l) as { score: number }).score]), [['12345678901234567890', 1], ['1e400', 0]]);
  });

  it('exits 0 without a stack trace when the reader closes the pipe (`| head`)', async () => {
    const config = write('pipe.json', JSON.stringify({ rewards: [{ plugin: echo }], sandbox: { backend: 'process' } }));
    const samples = write('pipe.jsonl', Array.from({ length: 3000 }, (_, i) => JSON.stringify({ id: i, completion: 'x'.repeat(200), metadata: { score: 1 } })).join('\n') + '\n');
    const child = spawn(process.execPath, ['--conditions=molrl-src', '--disable-warning=ExperimentalWarning', entry, 'score', '--config', config, '--samples', samples, '--json', '--workers', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.once('data', () => child.stdout.destroy()); // like `head -n 1`: read one chunk, close the pipe
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    strictEqual(code, 0, stderr);
    ok(!/EPIPE|Error|at /.test(stderr), stderr);
  });

  it('streams a 560 MB samples file with a 200 MB heap (never one string of the whole file), results in input order', async function () {
    this.timeout(300_000);
    const config = write('big.json', JSON.stringify({ rewards: [{ plugin: echo }], sandbox: { backend: 'process' } }));
    const file = join(dir, 'big.jsonl');
    const fd = openSync(file, 'w');
    const filler = 'z'.repeat(900_000);
    for (let i = 0; i < 620; i++) writeSync(fd, JSON.stringify({ id: `b${i}`, completion: filler, metadata: { score: i % 3 } }) + '\n');
    closeSync(fd);
    try {
      const run = await runCli(['score', '--config', config, '--samples', file, '--workers', '0', '--concurrency', '4'], { env: { ...process.env, NODE_OPTIONS: '--max-old-space-size=200' } });
      strictEqual(run.code, 0, run.stderr.slice(-2000));
      const ids = run.stdout.trim().split('\n').map((l) => l.split('\t')[0]);
      deepStrictEqual(ids, Array.from({ length: 620 }, (_, i) => `b${i}`));
    } finally {
      rmSync(file, { force: true });
    }
  });

  it('stops at --max-samples with INPUT_LIMIT_EXCEEDED naming the limit (exit 2), after printing the samples before it', async () => {
    const config = write('max.json', JSON.stringify({ rewards: [{ plugin: echo }], sandbox: { backend: 'process' } }));
    const samples = write('max.jsonl', Array.from({ length: 5 }, (_, i) => JSON.stringify({ id: i, completion: '', metadata: { score: 1 } })).join('\n') + '\n');
    const run = await runCli(['score', '--config', config, '--samples', samples, '--json', '--workers', '0', '--max-samples', '3']);
    strictEqual(run.code, 2, run.stderr);
    strictEqual(run.stdout.trim().split('\n').length, 3);
    const error = (JSON.parse(run.stderr.trim().split('\n').pop()!) as { error: { code: string; details: { limit: string; max: number } } }).error;
    deepStrictEqual([error.code, error.details.limit, error.details.max], ['INPUT_LIMIT_EXCEEDED', 'maxSamples', 3]);
  });

  it('prints help', () => {
    const r = molrl(['score', '--help']);
    strictEqual(r.code, 0);
    match(r.stdout, /--samples <file>/);
  });
});
