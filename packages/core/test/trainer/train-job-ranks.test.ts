// runTrainJob with a data-parallel policy server (torchrun, 2 ranks, gloo on CPU): a rank that dies mid-run
// makes the server answer RANK_FAILED and stop; the trainer stops with TRAIN_SERVER_DIED and its resume
// command, and that command finishes the run from the last checkpoint.
import { match, ok, strictEqual } from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MolrlError } from '@molrl/common';
import { runTrainJob, validateJobConfig } from '@molrl/core';
import { skipUnless, torchMissing } from '../../../../test/helpers/requirements.ts';

const FAULT = 'MOLRL_DIST_FAULT'; // the server's fault injection: rank 1 exits on its 2nd policy step (a step whose
// advantages are all 0 sends none, so the failure comes at step 2 or 3)

describe('runTrainJob (policy server on 2 ranks)', function () {
  this.timeout(300_000);
  let dir: string;
  before(async function () {
    skipUnless(this, await torchMissing(), 'the data-parallel policy server needs PyTorch');
    dir = mkdtempSync(join(tmpdir(), 'molrl-ranks-'));
    writeFileSync(join(dir, 'len.mjs'), "export default { name: 'reward:len', version: '1.0.0', apiVersion: '^1', description: 'length', optionsSchema: false, score: (s) => ({ score: s.completion.length % 3 }) };\n");
    writeFileSync(join(dir, 'data.jsonl'), Array.from({ length: 8 }, (_, i) => JSON.stringify({ id: `q${i}`, prompt: `Q: ${i}+1\nA:`, groundTruth: String(i + 1) })).join('\n'));
  });
  afterEach(() => {
    delete process.env[FAULT];
  });

  it('stops with the resume command when a rank dies, and the resume finishes the run', async () => {
    const config = validateJobConfig(
      {
        name: 'ranks',
        model: 'tiny',
        modelConfig: { n_layer: 1, n_head: 2, d_model: 32, context: 64 },
        server: { start: { threads: 1, nproc: 2 } },
        dataset: { train: 'data.jsonl', evalFraction: 0.25 },
        rewards: [{ plugin: './len.mjs' }],
        sandbox: { backend: 'process' },
        phases: [{ type: 'grpo', estimator: 'dr_grpo', steps: 3, promptsPerStep: 2, groupSize: 2, sampling: { maxTokens: 4 }, checkpointEvery: 1 }],
        seed: 2,
      },
      dir,
    );
    process.env[FAULT] = 'exit:train_policy:1:2';
    const error = (await runTrainJob({ config, logger: { info() {}, warn() {} } }).then(
      () => null,
      (e: unknown) => e,
    )) as MolrlError | null;
    ok(error, 'the run must fail');
    strictEqual(error.code, 'TRAIN_SERVER_DIED', error.message);
    const runDir = error.path as string;
    match(error.message, new RegExp(`molrl train --resume ${runDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    const state = JSON.parse(readFileSync(join(runDir, 'state.json'), 'utf8'));
    ok(!state.finished && state.stepInPhase >= 1 && state.stepInPhase < 3, `a checkpoint before the failed step: ${JSON.stringify(state)}`);

    delete process.env[FAULT];
    const resumed = await runTrainJob({ resume: runDir, logger: { info() {}, warn() {} } });
    strictEqual(resumed.status, 'finished');
    const steps = readFileSync(join(runDir, 'metrics.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { step: number }).step);
    ok([1, 2, 3].every((s) => steps.includes(s)), `metrics of steps 1..3: ${steps.join(',')}`);
  });
});
