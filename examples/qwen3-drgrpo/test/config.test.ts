// The Qwen3 Dr.GRPO example passes `molrl validate` and carries the paper's settings.
import { strictEqual } from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { loadJobConfig, type GrpoPhaseConfig } from '@molrl/core';
import { runCli } from '../../../test/helpers/run-cli.ts';

const file = fileURLToPath(new URL('../config.yaml', import.meta.url));

describe('examples/qwen3-drgrpo', () => {
  it('passes molrl validate', async () => {
    const run = await runCli(['validate', file]);
    strictEqual(run.code, 0, run.stderr);
  });
  it("has the paper's GRPO settings", () => {
    const c = loadJobConfig(file);
    const p = c.phases[0] as GrpoPhaseConfig;
    strictEqual(c.model.startsWith('hf:Qwen/Qwen3'), true);
    strictEqual(c.server.start?.loraR, 64);
    strictEqual(p.estimator, 'dr_grpo');
    strictEqual(p.groupSize, 8);
    strictEqual(p.promptsPerStep * p.groupSize, 128);
    strictEqual(p.sampling.temperature, 0.9);
    strictEqual(p.maxCompletionLength, 8192);
  });
});
