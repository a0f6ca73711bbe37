// `molrl score` end to end while its Docker daemon fails (a daemon of the test's own, stopped for real): the
// affected samples come back infra_error with score null after their retries, never a number; the output keeps
// the input order; the command exits 3 only when every sample failed.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_DOCKER_IMAGE } from '@molrl/sandbox';
import { skipUnless } from './helpers/requirements.ts';
import { runCli } from './helpers/run-cli.ts';
import { TestDaemon, testDaemonMissing } from './helpers/test-daemon.ts';

interface Line {
  id: string;
  score: number | null;
  status: string;
  rewards: Record<string, { error?: { code: string; message: string } }>;
}

const py = (code: string) => `\`\`\`python\n${code}\n\`\`\``;

describe('molrl score against a failing Docker daemon', function () {
  this.timeout(300_000);
  let daemon: TestDaemon;
  let dir: string;
  let config: string;

  before(async function () {
    skipUnless(this, await testDaemonMissing(DEFAULT_DOCKER_IMAGE), 'molrl score fault tests (a second dockerd)');
    daemon = await TestDaemon.shared(DEFAULT_DOCKER_IMAGE);
    dir = mkdtempSync(join(tmpdir(), 'molrl-score-faults-'));
    config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ rewards: [{ plugin: 'reward:code-execution', options: { timeoutMs: 30_000 } }], sandbox: { backend: 'docker', docker: { poolSize: 1 } } }));
  });
  after(async () => {
    await daemon?.clean();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const samples = (name: string, programs: string[]): string => {
    const file = join(dir, name);
    writeFileSync(file, programs.map((code, i) => JSON.stringify({ id: `s${i + 1}`, completion: py(code), groundTruth: String(i + 1) })).join('\n') + '\n');
    return file;
  };
  const score = (file: string, extra: string[], onStdout?: (chunk: string) => void) =>
    runCli(['score', '--config', config, '--samples', file, '--json', ...extra], { env: { ...process.env, DOCKER_HOST: daemon.host }, onStdout });
  const parse = (stdout: string): Line[] => stdout.trim().split('\n').map((l) => JSON.parse(l) as Line);

  it('exits 3 with every sample infra_error (score null, after its retries) in input order when the daemon is down', async () => {
    await daemon.down();
    const file = samples('all.jsonl', ['print(1)', 'print(2)', 'print(3)', 'print(4)', 'print(5)']);
    const r = await score(file, ['--concurrency', '2', '--retries', '2']);
    assert.equal(r.code, 3, r.stderr);
    const out = parse(r.stdout);
    assert.deepEqual(out.map((o) => [o.id, o.score, o.status]), [1, 2, 3, 4, 5].map((i) => [`s${i}`, null, 'infra_error']));
    for (const o of out) {
      const error = o.rewards['reward:code-execution']!.error!;
      assert.match(error.code, /^(REWARD_INFRA_ERROR|SANDBOX_)/, JSON.stringify(error));
      assert.match(error.message, /SANDBOX_DOCKER_UNAVAILABLE.*after 3 attempts/s);
    }
  });

  it('scores what ran before the daemon stopped, reports the rest infra_error in order, and exits 0', async () => {
    await daemon.up();
    const file = samples('partial.jsonl', ['print(1)', 'print(2)', 'print(3)', 'import time\ntime.sleep(25)\nprint(4)', 'print(5)', 'print(6)']);
    let printed = '';
    let stopped: Promise<void> | null = null;
    const r = await score(file, ['--concurrency', '1'], (chunk) => {
      printed += chunk;
      if (!stopped && printed.split('\n').length > 3) stopped = daemon.down(); // s1..s3 are out, s4 sleeps or is next
    });
    await stopped;
    assert.equal(r.code, 0, r.stderr);
    const out = parse(r.stdout);
    assert.deepEqual(out.map((o) => [o.id, o.score, o.status]), [
      ['s1', 1, 'ok'], ['s2', 1, 'ok'], ['s3', 1, 'ok'], ['s4', null, 'infra_error'], ['s5', null, 'infra_error'], ['s6', null, 'infra_error'],
    ]);
  });
});
