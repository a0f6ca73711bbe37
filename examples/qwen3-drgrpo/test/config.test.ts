// The Qwen3 Dr.GRPO example validates and fits one H200 by the arithmetic its README documents, computed here
// from the config file (examples/gpu-memory.ts); the README's numbers are the computed ones.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadJobConfig, type GrpoPhaseConfig } from '@molrl/core';
import { runCli } from '../../../test/helpers/run-cli.ts';
import { gib, H200_BYTES, memoryPlan, QWEN3_8B } from '../../gpu-memory.ts';

const file = fileURLToPath(new URL('../config.yaml', import.meta.url));
const eightGpus = fileURLToPath(new URL('../config-8gpu.yaml', import.meta.url));
const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');

describe('examples/qwen3-drgrpo', function () {
  this.timeout(30_000);
  it('passes molrl validate', async () => {
    const run = await runCli(['validate', file]);
    assert.equal(run.code, 0, run.stderr);
  });

  it('fits one H200: 128 rows of 1024 + 8192 tokens generated in KV-budgeted batches', () => {
    const config = loadJobConfig(file);
    const plan = memoryPlan(config, QWEN3_8B, 1024);
    const grpo = plan.phases[0]!;
    assert.ok(plan.peakBytes <= H200_BYTES, `peak ${gib(plan.peakBytes)} GiB > 139 GiB`);
    assert.ok(grpo.generation!.rowsPerBatch >= 1 && grpo.generation!.rowsPerBatch < grpo.generation!.rows);
    // Without the KV budget all 128 rows at once would not fit at all.
    assert.ok(grpo.generation!.rows * grpo.generation!.sequence * 147456 > H200_BYTES);
    assert.equal((config.phases[0] as GrpoPhaseConfig).sampling.maxTokens, 8192);
    for (const shown of [`**${gib(plan.peakBytes)}**`, `**${grpo.generation!.rowsPerBatch} rows**`, `in ${grpo.generation!.batches} batches`, `| ${gib(grpo.generation!.kvBytes)} |`, `| ${gib(plan.weights)} |`, `| ${gib(plan.trainedState)} |`]) {
      assert.ok(readme.includes(shown), `README.md does not show the computed ${shown}`);
    }
  });

  it('runs on 8 GPUs (config-8gpu.yaml) with the one-GPU batch per rank', async () => {
    const run = await runCli(['validate', eightGpus]);
    assert.equal(run.code, 0, run.stderr);
    const one = loadJobConfig(file);
    const eight = loadJobConfig(eightGpus);
    assert.equal(eight.server.start?.nproc, 8);
    const perRank = (eight.phases[0] as GrpoPhaseConfig).promptsPerStep / 8;
    assert.equal(perRank, (one.phases[0] as GrpoPhaseConfig).promptsPerStep, 'each rank takes the batch that fits one H200');
    assert.deepEqual({ ...eight.server.start, nproc: undefined }, { ...one.server.start, nproc: undefined });
  });
});
