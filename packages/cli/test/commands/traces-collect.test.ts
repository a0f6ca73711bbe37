// `molrl traces collect` on the tiny model, run as a user would: the agent loop, observation turns, the file format.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prepareTraces } from '@molrl/core';
import { launchPolicyServer } from '@molrl/policy-client';
import { DEFAULT_DOCKER_IMAGE } from '@molrl/sandbox';
import { dockerMissing, skipUnless, torchMissing } from '../../../../test/helpers/requirements.ts';
import { runCli } from '../../../../test/helpers/run-cli.ts';

const MODEL_CONFIG = { n_layer: 2, n_head: 2, d_model: 64, context: 256 };
const CODE = '```python\nprint(6*7)\n```';
const FINAL = '```python\nfinal_answer(6*7)\n```';

describe('molrl traces collect', function () {
  this.timeout(180_000);
  let dir: string;
  let checkpoint: string;
  before(async function () {
    skipUnless(this, (await torchMissing()) ?? (await dockerMissing(DEFAULT_DOCKER_IMAGE)), 'molrl traces collect (tiny model + docker sandbox)');
    dir = mkdtempSync(join(tmpdir(), 'molrl-collect-'));
    // A tiny policy that has learnt one decision (so that the loop runs code): CE on an assistant turn holding CODE.
    const server = await launchPolicyServer({ model: 'tiny', modelConfig: MODEL_CONFIG, port: 0, seed: 3, threads: 1, checkpointRoot: dir });
    try {
      const turn = (role: 'user' | 'assistant', text: string) => ({ role, text, loss: role === 'assistant' ? ('ce' as const) : ('none' as const) });
      const first = (task: string) => ({ segments: [turn('user', task), turn('assistant', CODE)] });
      const second = (task: string) => ({ segments: [turn('user', task), turn('assistant', CODE), turn('user', 'Observation: Execution logs:\n42\n'), turn('assistant', FINAL)] });
      for (let i = 0; i < 150; i++) await server.client.trainMol({ examples: [first('Q: 6*7'), first('Q: 40+2'), second('Q: 6*7'), second('Q: 40+2')], mode: 'ce', learningRate: 3e-3 });
      checkpoint = join(dir, 'ckpt');
      await server.client.saveCheckpoint({ path: checkpoint });
    } finally {
      await server.stop();
    }
    writeFileSync(join(dir, 'tasks.jsonl'), ['Q: 6*7', 'Q: 40+2', 'Q: 1+1'].map((q, i) => JSON.stringify({ id: `t${i}`, messages: [{ role: 'user', content: q }], groundTruth: i < 2 ? '42' : '2' })).join('\n'));
    writeFileSync(
      join(dir, 'config.json'),
      JSON.stringify({
        model: 'tiny',
        modelConfig: MODEL_CONFIG,
        server: { start: { threads: 1, seed: 3 } },
        dataset: { train: 'tasks.jsonl', evalFraction: 0.25 },
        rewards: [{ plugin: 'reward:code-execution' }],
        sandbox: { backend: 'docker' },
        phases: [{ type: 'grpo', steps: 1 }],
      }),
    );
  });
  after(() => dir && rmSync(dir, { recursive: true, force: true }));

  it('runs the policy as a code agent and writes traces with observation turns and the final reward', async () => {
    const out = join(dir, 'traces.jsonl');
    const run = await runCli(['traces', 'collect', '--config', join(dir, 'config.json'), '--out', out, '--checkpoint', checkpoint, '--max-turns', '3', '--temperature', '0', '--max-tokens', '40', '--system', '', '--json']);
    assert.equal(run.code, 0, run.stderr);
    const summary = JSON.parse(run.stdout);
    assert.equal(summary.tasks, 2); // 3 rows, 1 held out for eval
    const traces = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(traces.map((t) => t.id), ['t0', 't1']);
    for (const t of traces) {
      assert.deepEqual(t.messages.map((m: { role: string }) => m.role), ['user', 'assistant', 'user', 'assistant', 'user'], JSON.stringify(t));
      assert.equal(t.messages[1].content, CODE);
      assert.equal(t.messages[2].content, 'Observation: Execution logs:\n42\n');
      assert.equal(t.messages[3].content, FINAL);
      assert.equal(t.messages[4].content, 'Observation: Execution logs:\n42\n'); // final_answer prints its argument
      assert.equal(t.finish, 'final_answer'); // before the turn limit of 3
      assert.equal(t.turns, 2);
      assert.equal(t.reward.score, 1); // the final answer's code, run with final_answer defined, prints the ground truth
    }
    // the form `traces prepare` reads: observations are feedback (ce), decisions kl
    const { traces: prepared, summary: s } = prepareTraces(readFileSync(out, 'utf8'), { modelType: 'non-cot' });
    assert.equal(s.bad.length, 0);
    assert.deepEqual(prepared[0].segments.map((x) => x.loss), ['none', 'kl', 'ce', 'kl', 'ce']);
  });

  it('names the flag when a required one is missing', async () => {
    const run = await runCli(['traces', 'collect', '--out', join(dir, 'x.jsonl'), '--json']);
    assert.equal(run.code, 2);
    assert.equal(JSON.parse(run.stderr.trim().split('\n').at(-1)!).error.path, '--config');
  });
});
