// The paper's Qwen3 configuration passes the job-config validation (and `molrl validate`) with the paper's numbers.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { loadJobConfig, type GrpoPhaseConfig, type MolPhaseConfig } from '@molrl/core';
import { runCli } from '../../../test/helpers/run-cli.ts';

const file = fileURLToPath(new URL('../config.yaml', import.meta.url));

describe('examples/qwen3-mol-drgrpo/config.yaml', function () {
  this.timeout(30_000);
  it('validates and holds MoL (LoRA r 64, 8192 tokens) then Dr.GRPO (G 8, temperature 0.9, batch 128, multi-value)', () => {
    const c = loadJobConfig(file);
    assert.equal(c.server.start?.loraR, 64);
    const [mol, grpo] = c.phases as [MolPhaseConfig, GrpoPhaseConfig];
    assert.deepEqual([mol.type, mol.variant, mol.maxTokens], ['mol', 'mol', 8192]);
    assert.deepEqual([grpo.type, grpo.estimator, grpo.lossType, grpo.groupSize, grpo.sampling.temperature], ['grpo', 'dr_grpo', 'dr_grpo', 8, 0.9]);
    assert.equal(grpo.groupSize * grpo.promptsPerStep, 128);
    assert.deepEqual(c.rewards[0].options, { scheme: 'multi-value', values: { parses: 0.1, executes: 0.4, correct: 1 } });
  });
  it('passes molrl validate', async () => {
    const run = await runCli(['validate', file]);
    assert.equal(run.code, 0, run.stderr);
  });
});
