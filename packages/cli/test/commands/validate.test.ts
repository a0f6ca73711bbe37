// `molrl validate`: exit 0 for a valid config, exit 2 with every problem and its path otherwise; --json.
import { ok, strictEqual } from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../../../test/helpers/run-cli.ts';

describe('molrl validate', () => {
  const dir = mkdtempSync(join(tmpdir(), 'molrl-validate-'));
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, JSON.stringify({ model: 'tiny', server: { start: {} }, dataset: { train: 't.jsonl' }, rewards: [{ plugin: 'reward:format' }], phases: [{ type: 'grpo', steps: 0, groupSize: 'eight' }], eval: { evry: 3 } }));

  it('accepts the quickstart config', async () => {
    const run = await runCli(['validate', 'examples/quickstart/config.json']);
    strictEqual(run.code, 0, run.stderr);
    ok(run.stdout.includes('valid'));
  });

  it('prints every problem with its path and exits 2', async () => {
    const run = await runCli(['validate', bad]);
    strictEqual(run.code, 2);
    for (const p of ['phases[0].steps: must be >= 1', 'phases[0].groupSize: must be integer', 'eval: unexpected property "evry"']) ok(run.stderr.includes(p), `${p} not in ${run.stderr}`);
  });

  it('--json gives the problems as data', async () => {
    const run = await runCli(['validate', bad, '--json']);
    strictEqual(run.code, 2);
    const out = JSON.parse(run.stdout);
    strictEqual(out.valid, false);
    strictEqual(out.problems.length, 3);
  });

  it('exits 2 for a missing file', async () => {
    const run = await runCli(['validate', join(dir, 'missing.json')]);
    strictEqual(run.code, 2);
    ok(run.stderr.includes('FILE_UNREADABLE'));
  });
});
