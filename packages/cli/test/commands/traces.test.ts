// Tests of `molrl traces prepare`, run as a user would.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../../../test/helpers/run-cli.ts';

describe('molrl traces prepare', function () {
  this.timeout(30_000);
  let dir: string;
  let input: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'molrl-traces-'));
    input = join(dir, 'traces.jsonl');
    writeFileSync(
      input,
      [
        JSON.stringify({ id: 'a', messages: [{ role: 'system', content: 's' }, { role: 'user', content: 'task' }, { role: 'assistant', content: '<think>hmm</think>print(1)' }, { role: 'user', content: 'Observation: Execution logs:\n1' }] }),
        'oops',
      ].join('\n'),
    );
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('prints one JSON object per trace and a JSON summary naming bad lines', async () => {
    const run = await runCli(['traces', 'prepare', '--input', input, '--model-type', 'cot', '--json']);
    assert.equal(run.code, 0, run.stderr);
    const rows = run.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(rows.length, 1);
    assert.deepEqual(rows[0].segments.map((s: { loss: string }) => s.loss), ['none', 'none', 'kl', 'ce']);
    assert.equal(rows[0].segments[2].text, '<think>\n\n</think>\n\nprint(1)');
    const summary = JSON.parse(run.stderr.trim().split('\n').pop()!).summary;
    assert.deepEqual(summary.bad.map((b: { line: number }) => b.line), [2]);
  });

  it('exits 2 naming the flag and value on a bad variant', async () => {
    const run = await runCli(['traces', 'prepare', '--input', input, '--model-type', 'cot', '--variant', 'kl_only']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--variant: expected one of mol, ce, ce_nokl, ce_eetb \(got "kl_only"\)/);
  });

  it('exits 2 when the input file cannot be read', async () => {
    const run = await runCli(['traces', 'prepare', '--input', join(dir, 'missing.jsonl'), '--model-type', 'cot']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /FILE_UNREADABLE/);
  });
});
