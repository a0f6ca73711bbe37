// A phased MoL -> Dr.GRPO job on the tiny model, run as a user would: killed inside the MoL phase, resumed, finished.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_DOCKER_IMAGE } from '@molrl/sandbox';
import { dockerMissing, skipUnless, torchMissing } from '../../../test/helpers/requirements.ts';
import { runCli } from '../../../test/helpers/run-cli.ts';

type Line = { step: number; phase: number; phaseType: string } & Record<string, unknown>;
const readLines = (file: string): Line[] => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)) : []);
const MOL_KEYS = ['loss', 'ce', 'kl', 'ce_tokens', 'kl_tokens'];

describe('examples/mol-drgrpo: phased MoL -> Dr.GRPO job', function () {
  this.timeout(300_000);
  let dir: string;
  before(async function () {
    skipUnless(this, (await torchMissing()) ?? (await dockerMissing(DEFAULT_DOCKER_IMAGE)), 'phased MoL -> Dr.GRPO job (tiny model + docker sandbox)');
    dir = mkdtempSync(join(tmpdir(), 'molrl-phased-'));
    execFileSync(process.execPath, [fileURLToPath(new URL('../generate-data.mjs', import.meta.url)), dir]);
    const demo = JSON.parse(readFileSync(fileURLToPath(new URL('../config.json', import.meta.url)), 'utf8'));
    const [mol, grpo] = demo.phases;
    const config = {
      ...demo,
      $schema: undefined,
      name: 'phased',
      runsDir: join(dir, 'runs'),
      modelConfig: { n_layer: 2, n_head: 2, d_model: 64, context: 256 },
      eval: undefined,
      checkpoint: { every: 0 },
      phases: [
        { ...mol, variant: 'mol', steps: 6, batchSize: 4, microBatchSize: 4, checkpointEvery: 2, validation: { fraction: 0.002, every: 3 } },
        { ...grpo, steps: 2, promptsPerStep: 2, groupSize: 2, sampling: { temperature: 1, maxTokens: 24 }, microBatchSize: 8 },
      ],
    };
    writeFileSync(join(dir, 'config.json'), JSON.stringify(config, (_k, v) => v ?? undefined));
    writeFileSync(join(dir, 'uninterrupted.json'), JSON.stringify({ ...config, name: 'uninterrupted', phases: config.phases.slice(0, 1) }, (_k, v) => v ?? undefined));
  });
  after(() => dir && rmSync(dir, { recursive: true, force: true }));

  it('runs both phases and resumes inside the MoL phase after a kill, repeating the lost steps exactly', async () => {
    // The MoL phase without a kill (its own run and server, beside the run that is killed): every step of the resumed
    // run must equal it, wherever the kill landed.
    const referenceRun = runCli(['train', '--config', join(dir, 'uninterrupted.json')]);
    const runDir = join(dir, 'runs', 'phased');
    const metricsFile = join(runDir, 'metrics.jsonl');
    const firstRun = runCli(['train', '--config', join(dir, 'config.json')], {
      onStart(child) {
        const poll = setInterval(() => {
          const lines = readLines(metricsFile);
          if (lines.some((l) => l.phaseType === 'mol' && l.step >= 3)) {
            child.kill('SIGKILL'); // no chance to checkpoint: resume must use the step-2 (or step-4) checkpoint
            clearInterval(poll);
          }
        }, 20);
        child.on('exit', () => clearInterval(poll));
      },
    });
    const [reference, first] = await Promise.all([referenceRun, firstRun]);
    assert.equal(reference.code, 0, reference.stderr);
    const expected = readLines(join(dir, 'runs', 'uninterrupted', 'metrics.jsonl')).filter((l) => l.phaseType === 'mol' && l.ce !== undefined);
    assert.deepEqual(expected.map((l) => l.step), [1, 2, 3, 4, 5, 6]);
    assert.equal(first.signal, 'SIGKILL', first.stderr);
    const state = JSON.parse(readFileSync(join(runDir, 'state.json'), 'utf8'));
    assert.equal(state.phase, 0);
    assert.ok(state.stepInPhase === 2 || state.stepInPhase === 4, JSON.stringify(state));

    const second = await runCli(['train', '--resume', runDir]);
    assert.equal(second.code, 0, second.stderr);
    const lines = readLines(metricsFile);
    const mol = lines.filter((l) => l.phaseType === 'mol' && l.ce !== undefined);
    assert.deepEqual(mol.map((l) => l.step), [1, 2, 3, 4, 5, 6]); // metrics truncated to the checkpoint, never duplicated
    for (const l of mol) for (const k of MOL_KEYS) assert.equal(typeof l[k], 'number', `${k} at step ${l.step}`);
    assert.ok(mol.every((l) => (l.kl_tokens as number) > 0 && (l.ce_tokens as number) > 0));
    assert.deepEqual(mol.filter((l) => typeof l['val/loss'] === 'number').map((l) => l.step), [3, 6]);
    // the steps after the checkpoint are repeated exactly: same batch (seeded order), same weights and optimizer state
    mol.forEach((after, i) => {
      for (const k of MOL_KEYS) assert.ok(Math.abs((after[k] as number) - (expected[i][k] as number)) < 1e-6, `${k} at step ${after.step}: ${expected[i][k]} uninterrupted, ${after[k]} resumed`);
    });
    const grpo = lines.filter((l) => l.phaseType === 'grpo');
    assert.ok(grpo.some((l) => l.step === 8), JSON.stringify(grpo.map((l) => l.step)));
    assert.equal(JSON.parse(readFileSync(join(runDir, 'state.json'), 'utf8')).finished, true);
  });
});
