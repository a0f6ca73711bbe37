// runTrainJob against the real policy server (tiny model, PyTorch): SFT + GRPO phases, metrics and samples
// written, Ctrl-C style interrupt checkpoints, resume continues without losing or duplicating metric lines.
import { deepStrictEqual, ok, strictEqual } from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectServer, runTrainJob, validateJobConfig } from '@molrl/core';
import { skipUnless, torchMissing } from '../../../../test/helpers/requirements.ts';

const jsonl = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
const quiet = { info() {}, warn() {} };

describe('runTrainJob (policy server, tiny model)', function () {
  this.timeout(240_000);
  let dir: string;
  before(async function () {
    skipUnless(this, await torchMissing(), 'runTrainJob drives the real policy server, which needs PyTorch');
    dir = mkdtempSync(join(tmpdir(), 'molrl-train-'));
    // A plain-object plugin module (no imports): 1 when the completion contains a digit, else 0.
    writeFileSync(join(dir, 'has-digit.mjs'), "export default { name: 'reward:has-digit', version: '1.0.0', apiVersion: '^1', description: 'digit present', optionsSchema: false, score: (s) => ({ score: /[0-9]/.test(s.completion) ? 1 : 0, components: { digit: /[0-9]/.test(s.completion) ? 1 : 0 } }) };\n");
    writeFileSync(join(dir, 'data.jsonl'), Array.from({ length: 12 }, (_, i) => JSON.stringify({ id: `q${i}`, prompt: `Q: ${i}+1\nA:`, groundTruth: String(i + 1), metadata: { class: i % 2 ? 'odd' : 'even' } })).join('\n'));
    writeFileSync(join(dir, 'demos.jsonl'), Array.from({ length: 8 }, (_, i) => JSON.stringify({ prompt: `Q: ${i}+1\nA:`, completion: ` ${i + 1}` })).join('\n'));
  });

  const config = () =>
    validateJobConfig(
      {
        name: 'job',
        model: 'tiny',
        modelConfig: { n_layer: 1, n_head: 2, d_model: 32, context: 64 },
        server: { start: { threads: 1 } },
        dataset: { train: 'data.jsonl', evalFraction: 0.34 },
        rewards: [{ plugin: './has-digit.mjs' }],
        sandbox: { backend: 'process' },
        phases: [
          { type: 'sft', data: 'demos.jsonl', steps: 4, batchSize: 4, learningRate: 1e-3, logEvery: 2 },
          { type: 'grpo', estimator: 'dr_grpo', steps: 4, promptsPerStep: 2, groupSize: 3, sampling: { maxTokens: 6 }, checkpointEvery: 1 },
        ],
        eval: { every: 2, samples: 4, sampling: { maxTokens: 6 }, groupBy: 'class' },
        seed: 5,
      },
      dir,
    );

  it('runs, is interrupted after a GRPO step, and resumes without lost or duplicated lines', async () => {
    const stop = new AbortController();
    const first = await runTrainJob({
      config: config(),
      signal: stop.signal,
      logger: quiet,
      onProgress: (i, phase, p) => {
        if (phase.type === 'grpo' && p.step === 2) stop.abort();
      },
    });
    strictEqual(first.status, 'interrupted');
    const state = JSON.parse(readFileSync(join(first.runDir, 'state.json'), 'utf8'));
    deepStrictEqual([state.phase, state.stepInPhase, state.globalStep], [1, 2, 6]);

    const second = await runTrainJob({ resume: first.runDir, logger: quiet });
    strictEqual(second.status, 'finished');
    const metrics = jsonl(join(first.runDir, 'metrics.jsonl'));
    const train = metrics.filter((m) => m.phaseType === 'grpo' && m['reward/mean'] !== undefined);
    deepStrictEqual(train.map((m) => m.step), [5, 6, 7, 8]);
    const evals = metrics.filter((m) => m['eval/reward/mean'] !== undefined);
    deepStrictEqual(evals.map((m) => m.step), [4, 6, 8]);
    for (const m of train) {
      for (const key of ['reward/reward:has-digit', 'reward/reward:has-digit/digit', 'reward/status/ok', 'completion/length_mean', 'time/generate', 'time/score', 'time/train']) ok(key in m, `${key} missing`);
      strictEqual(m['reward/status/infra_error'], 0);
    }
    ok('eval/greedy/accuracy/odd' in evals[0] && 'eval/greedy/accuracy/even' in evals[0]);
    deepStrictEqual(metrics.filter((m) => m.phaseType === 'sft').map((m) => m.step), [2, 4]);
    const samples = jsonl(join(first.runDir, 'samples.jsonl'));
    strictEqual(samples.length, 4 * 2 * 3);
    deepStrictEqual([...new Set(samples.map((s) => s.step))], [5, 6, 7, 8]);
    const done = JSON.parse(readFileSync(join(first.runDir, 'state.json'), 'utf8'));
    strictEqual(done.finished, true);
    strictEqual(done.metricsLines, metrics.length);
  });

  it('generates with server.start.engine and corrects with a phase tisCap', async () => {
    const raw = {
      name: 'static-tis',
      model: 'tiny',
      modelConfig: { n_layer: 1, n_head: 2, d_model: 32, context: 64 },
      server: { start: { threads: 1, engine: 'static' } },
      dataset: { train: 'data.jsonl', evalFraction: 0.34 },
      rewards: [{ plugin: './has-digit.mjs' }],
      sandbox: { backend: 'process' },
      phases: [{ type: 'grpo', estimator: 'dr_grpo', steps: 2, promptsPerStep: 2, groupSize: 3, sampling: { maxTokens: 6 }, tisCap: 2 }],
      seed: 5,
    };
    // the server the config starts, asked for its engine, beside the run (which starts its own)
    const engineOfServer = async () => {
      const { client, handle } = await connectServer(validateJobConfig(raw, dir));
      try {
        return (await client.health()).engine;
      } finally {
        await handle?.stop();
      }
    };
    const [engine, run] = await Promise.all([engineOfServer(), runTrainJob({ config: validateJobConfig(raw, dir), logger: quiet })]);
    strictEqual(engine, 'static');
    strictEqual(run.status, 'finished');
    const train = jsonl(join(run.runDir, 'metrics.jsonl')).filter((m) => m.phaseType === 'grpo' && m['reward/mean'] !== undefined);
    strictEqual(train.length, 2);
    for (const m of train) {
      if (m.loss === null) continue; // a step whose groups all scored alike trains nothing
      ok(typeof m['logprob/tis_weight_mean'] === 'number' && Math.abs((m['logprob/tis_weight_mean'] as number) - 1) < 1e-3, JSON.stringify(m));
      ok((m['logprob/mismatch_max'] as number) <= 1e-4, JSON.stringify(m));
    }
  });
});
