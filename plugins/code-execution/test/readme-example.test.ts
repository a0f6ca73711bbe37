// The README's mode io example, run as written: its config and samples files through `molrl score --json`.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { languagesImageMissing, skipUnlessLanguages } from '../../../test/helpers/requirements.ts';
import { runCli } from '../../../test/helpers/run-cli.ts';

const README = new URL('../README.md', import.meta.url);

/** The fenced blocks (yaml, json) that follow the line starting with `Example (`molrl score`. */
function readmeExample(text: string): { config: string; samples: string } {
  const start = text.indexOf('Example (`molrl score');
  assert.ok(start >= 0, 'the README has no "Example (`molrl score" line');
  const block = (tag: string) => {
    const m = new RegExp('```' + tag + '\\n([\\s\\S]*?)\\n```').exec(text.slice(start));
    assert.ok(m, `no \`\`\`${tag} block after the example line`);
    return `${m[1]}\n`;
  };
  return { config: block('yaml'), samples: block('json') };
}

describe('reward:code-execution README: the mode io example (multi-language image)', function () {
  this.timeout(180_000);
  let dir: string;
  before(async function () {
    skipUnlessLanguages(this, await languagesImageMissing(), 'the README mode io example (C++)');
    dir = mkdtempSync(join(tmpdir(), 'molrl-readme-io-'));
  });
  after(() => dir && rmSync(dir, { recursive: true, force: true }));

  it('scores both of its samples 1.0 on every case', async () => {
    const { config, samples } = readmeExample(readFileSync(README, 'utf8'));
    writeFileSync(join(dir, 'rewards.yaml'), config);
    writeFileSync(join(dir, 'samples.jsonl'), samples);
    const r = await runCli(['score', '--config', join(dir, 'rewards.yaml'), '--samples', join(dir, 'samples.jsonl'), '--json']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: string; score: number; rewards: Record<string, { components: Record<string, number>; reason: string }> });
    const got = lines.map((l) => [l.id, l.score, l.rewards['reward:code-execution']!.components.fraction, l.rewards['reward:code-execution']!.reason]);
    assert.deepEqual(got, [['p1', 1, 1, 'all 2 cases passed'], ['p2', 1, 1, 'the case passed']], r.stdout);
  });
});
