// `molrl score` with faulty plugins, run as a user runs it (a child process): every fault is a plugin_error
// line for its own sample and the CLI prints every result; process.exit at import is a load error; a
// synchronous loop ends the in-process run with PLUGIN_STUCK and is stopped (and Ctrl-C obeyed) in workers.
import { deepStrictEqual, match, ok, strictEqual } from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../../../../test/helpers/run-cli.ts';

const FAULTY = fileURLToPath(new URL('../../../core/test/rewards/fixtures/faulty-plugin.ts', import.meta.url));
const EXIT_AT_IMPORT = fileURLToPath(new URL('../../../core/test/rewards/fixtures/exit-at-import.ts', import.meta.url));

type Line = { id: string; status: string; score: number | null; rewards: Record<string, { error?: { code: string; hook: string; message: string } }> };
const parse = (stdout: string) => stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Line);

describe('molrl score with faulty plugins', function () {
  this.timeout(120_000);
  let dir: string;
  let config: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'molrl-score-faults-'));
    config = join(dir, 'c.json');
    writeFileSync(config, JSON.stringify({ rewards: [{ plugin: FAULTY }], sandbox: { backend: 'process' } }));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const FAULTS = ['throw', 'nan', 'infinity', 'out-of-range', 'wrong-type', 'stray-rejection', 'timer-throw', 'exit', 'exit-in-timer'];

  for (const workers of ['0', '2']) {
    it(`prints all 200 results in order, each fault a plugin_error of its own sample (--workers ${workers})`, async () => {
      const lines = Array.from({ length: 200 }, (_, i) => {
        const fault = i % 20 === 7 ? FAULTS[((i / 20) | 0) % FAULTS.length] : undefined;
        return JSON.stringify({ id: `s${i}`, completion: '', metadata: fault ? { fault } : { score: (i % 10) / 10 } });
      });
      const samples = join(dir, `all-${workers}.jsonl`);
      writeFileSync(samples, lines.join('\n') + '\n');
      const run = await runCli(['score', '--config', config, '--samples', samples, '--json', '--workers', workers, '--max-plugin-errors', '100']);
      strictEqual(run.code, 1, run.stderr);
      const out = parse(run.stdout);
      deepStrictEqual(out.map((o) => o.id), Array.from({ length: 200 }, (_, i) => `s${i}`));
      for (const [i, o] of out.entries()) {
        if (i % 20 === 7) {
          deepStrictEqual([o.status, o.score, o.rewards['test:faulty'].error?.hook], ['plugin_error', null, 'score'], JSON.stringify(o));
        } else deepStrictEqual([o.status, o.score], ['ok', (i % 10) / 10]);
      }
      match(run.stderr, /plugin_error on sample "s7"/);
      const summary = JSON.parse(run.stderr.trim().split('\n').pop()!) as { summary: { statuses: Record<string, number> } };
      deepStrictEqual(summary.summary.statuses, { ok: 190, abstain: 0, infra_error: 0, plugin_error: 10 });
    });
  }

  it('stops with PLUGIN_ERROR_LIMIT (exit 1) after --max-plugin-errors', async () => {
    const samples = join(dir, 'limit.jsonl');
    writeFileSync(samples, ['a', 'b', 'c', 'd'].map((id) => JSON.stringify({ id, completion: '', metadata: { fault: 'throw' } })).join('\n') + '\n');
    const run = await runCli(['score', '--config', config, '--samples', samples, '--json', '--max-plugin-errors', '1', '--concurrency', '1']);
    strictEqual(run.code, 1, run.stderr);
    const error = (JSON.parse(run.stderr.trim().split('\n').pop()!) as { error: { code: string; details: { max: number } } }).error;
    deepStrictEqual([error.code, error.details.max], ['PLUGIN_ERROR_LIMIT', 1]);
    deepStrictEqual(parse(run.stdout).map((o) => [o.id, o.status]), [['a', 'plugin_error']]);
  });

  it('a plugin that calls process.exit at import fails to load: PLUGIN_INVALID, exit 2, not a silent exit 0', async () => {
    const bad = join(dir, 'exit-import.json');
    writeFileSync(bad, JSON.stringify({ rewards: [{ plugin: EXIT_AT_IMPORT }], sandbox: { backend: 'process' } }));
    const samples = join(dir, 'one.jsonl');
    writeFileSync(samples, '{"id":"a","completion":""}\n');
    const run = await runCli(['score', '--config', bad, '--samples', samples]);
    strictEqual(run.code, 2, run.stderr);
    ok(run.stderr.includes('PLUGIN_INVALID') && run.stderr.includes('process.exit(0)'), run.stderr);
  });

  it('in-process, a synchronous infinite loop ends the run with PLUGIN_STUCK naming the sample (never hangs)', async () => {
    const samples = join(dir, 'spin.jsonl');
    writeFileSync(samples, [JSON.stringify({ id: 'fine', completion: '', metadata: { score: 1 } }), JSON.stringify({ id: 'spinner', completion: '', metadata: { fault: 'spin', delayMs: 100 } })].join('\n') + '\n');
    const run = await runCli(['score', '--config', config, '--samples', samples, '--json', '--workers', '0', '--timeout-ms', '500']);
    strictEqual(run.signal, 'SIGKILL', run.stderr);
    match(run.stderr, /PLUGIN_STUCK: .*test:faulty hook score sample "spinner"/);
  });

  it('in worker threads, Ctrl-C during a synchronous infinite loop exits 130 at once, printing nothing more', async () => {
    const samples = join(dir, 'spin-ctrl-c.jsonl');
    writeFileSync(samples, [JSON.stringify({ id: 'fine', completion: '', metadata: { score: 1 } }), JSON.stringify({ id: 'spinner', completion: '', metadata: { fault: 'spin', delayMs: 200 } }), JSON.stringify({ id: 'after', completion: '', metadata: { score: 1, delayMs: 100_000 } })].join('\n') + '\n');
    // The loop would only be stopped after the 100 s timeout: the test's 120 s limit shows Ctrl-C did not wait for it.
    let child: ChildProcess | undefined;
    const run = await runCli(['score', '--config', config, '--samples', samples, '--json', '--workers', '1', '--timeout-ms', '100000', '--retries', '0'], {
      onStdout: (chunk) => {
        if (chunk.includes('"fine"')) setTimeout(() => child?.kill('SIGINT'), 500);
      },
      onStart: (c) => (child = c),
    });
    strictEqual(run.code, 130, run.stderr);
    deepStrictEqual(parse(run.stdout).map((o) => o.id), ['fine']);
  });
});

