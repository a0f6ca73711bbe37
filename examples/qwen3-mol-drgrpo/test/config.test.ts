// The MoL -> Dr.GRPO Qwen3 example validates and fits one H200 by the arithmetic its README documents, computed
// here from the config file (examples/gpu-memory.ts); the README's numbers are the computed ones.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadJobConfig } from '@molrl/core';
import { runCli } from '../../../test/helpers/run-cli.ts';
import { gib, H200_BYTES, memoryPlan, QWEN3_8B } from '../../gpu-memory.ts';

const file = fileURLToPath(new URL('../config.yaml', import.meta.url));
const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');

describe('examples/qwen3-mol-drgrpo/config.yaml', function () {
  this.timeout(30_000);
  it('passes molrl validate', async () => {
    const run = await runCli(['validate', file]);
    assert.equal(run.code, 0, run.stderr);
  });

  it('fits one H200 in both phases by the documented arithmetic', () => {
    const plan = memoryPlan(loadJobConfig(file), QWEN3_8B, 512);
    const [mol, grpo] = plan.phases;
    assert.ok(plan.peakBytes <= H200_BYTES, `peak ${gib(plan.peakBytes)} GiB > 139 GiB`);
    assert.deepEqual([mol!.phase, grpo!.phase], ['phases[0] mol', 'phases[1] grpo']);
    for (const shown of [`**${gib(plan.peakBytes)}**`, `**${grpo!.generation!.rowsPerBatch} rows**`, `in ${grpo!.generation!.batches} batches`, `| ${gib(mol!.peakBytes)} |`, `| ${gib(grpo!.generation!.kvBytes)} |`, `| ${gib(grpo!.training.activationBytes)} |`]) {
      assert.ok(readme.includes(shown), `README.md does not show the computed ${shown}`);
    }
  });
});
