// grpoStep against the real policy server (tiny model): the default step sends today's request, and each algorithm
// option (mu updates and mini-batches, gspo / cispo, maskTruncated, overlong, dynamic sampling, normalize_then_sum)
// changes what it should, with its metrics.
import { deepStrictEqual, ok, strictEqual } from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchPolicyServer, type PolicyServerHandle, type TrainPolicyRequest } from '@molrl/policy-client';
import { createRewardEngine, grpoAdvantages, type AdvantageInput, type DatasetRow, type RewardEngine } from '@molrl/core';
import { skipUnless, torchMissing } from '../../../../test/helpers/requirements.ts';
import { grpoTestPhase, recordedStep } from './grpo-step-harness.ts';

describe('grpoStep options (policy server, tiny model)', function () {
  this.timeout(240_000);
  let dir: string;
  let server: PolicyServerHandle;
  let engine: RewardEngine;
  const requests: TrainPolicyRequest[] = [];
  // 12 prompts; the reward of an even prompt is always 1 (bytes; length abstains): its group never teaches, dynamic sampling drops it
  const train: DatasetRow[] = Array.from({ length: 12 }, (_, i) => ({ id: `q${i}`, prompt: `Q: ${i}+1\nA:`, metadata: {} }));

  before(async function () {
    skipUnless(this, await torchMissing(), 'grpoStep trains on the real policy server, which needs PyTorch');
    dir = mkdtempSync(join(tmpdir(), 'molrl-grpo-'));
    writeFileSync(join(dir, 'bytes.mjs'), "export default { name: 'reward:bytes', version: '1.0.0', apiVersion: '^1', description: 'byte sum mod 7; 1 for even prompts', optionsSchema: false, score: (s) => Number(s.promptId.slice(1)) % 2 === 0 ? 1 : [...s.completion].reduce((a, c) => a + c.charCodeAt(0), 0) % 7 / 7 };\n");
    writeFileSync(join(dir, 'length.mjs'), "export default { name: 'reward:length', version: '1.0.0', apiVersion: '^1', description: 'length / 10; abstains on q1 and even prompts', optionsSchema: false, score: (s) => s.promptId === 'q1' || Number(s.promptId.slice(1)) % 2 === 0 ? null : s.completion.length / 10 };\n");
    writeFileSync(join(dir, 'data.jsonl'), train.map((r) => JSON.stringify(r)).join('\n'));
    server = await launchPolicyServer({ model: 'tiny', modelConfig: { context: 64 }, port: 0, seed: 0, threads: 1, checkpointRoot: dir, onLog: () => {} });
    engine = await createRewardEngine({ rewards: [{ plugin: './bytes.mjs' }, { plugin: './length.mjs', weight: 0.5 }], sandbox: { backend: 'process' } }, { baseDir: dir });
  });
  after(async () => {
    await engine?.close();
    await server?.stop();
  });

  const step = async (options: object, seed = 14) => // seed 14 draws q5, q0, q7: one constant group
    recordedStep(server.client, requests, engine, train, grpoTestPhase(dir, server.client.url, './bytes.mjs', { estimator: 'dr_grpo', learningRate: 1e-4, ...options }), seed, 1e-4);

  it('with every option at its default, the step sends exactly the request it always sent', async () => {
    const { request, metrics } = await step({});
    deepStrictEqual(Object.keys(request).sort(), ['advantages', 'beta', 'clip', 'learningRate', 'lossType', 'maxCompletionLength', 'microBatchSize', 'rolloutId']);
    strictEqual(metrics.updates, 1);
    strictEqual(metrics.approx_kl, 0);
    strictEqual(metrics['groups/generation_rounds'], 1);
    strictEqual(metrics['groups/dropped'], 0);
    for (const key of ['clip_fraction/low', 'clip_fraction/high', 'completion/length_max', 'groups/zero_std_ratio', 'reward/reward:bytes', 'reward/reward:length']) ok(key in metrics, key);
    // q1's length reward abstains but bytes scores it: no row is all-abstained, every row trains
    ok(request.advantages.every((a) => a !== null));
  });

  it('each option alone changes only its own part of the step (same weights, same seed as the default)', async () => {
    type Sample = { promptId: string; finishReason: string; advantage: number | null };
    const sampling = { maxTokens: 8, stop: [...'aeioustnrlhdcmpy'] }; // some completions end early, others reach maxTokens
    const start = join(dir, 'options-start');
    await server.client.saveCheckpoint({ path: start });
    const from = async (options: object) => {
      await server.client.loadCheckpoint({ path: start });
      return step({ sampling, ...options });
    };
    const plain = await from({});
    const { rolloutId: _, ...request } = plain.request;
    const samples = plain.samples as Sample[];
    const cut = samples.map((s) => s.finishReason === 'length');
    ok(cut.some((c) => c) && cut.some((c) => !c), `${cut.filter((c) => c).length} of ${cut.length} completions reached maxTokens`);
    // the train request's options: the same samples, the same advantages; only the option's own key differs
    for (const option of [{ updatesPerBatch: 2 }, { miniBatches: 2 }, { lossType: 'gspo' }, { lossType: 'cispo' }]) {
      const run = await from(option);
      deepStrictEqual(run.samples, plain.samples, JSON.stringify(option));
      const { rolloutId: __, ...sent } = run.request;
      deepStrictEqual(sent, { ...request, ...option }, JSON.stringify(option));
    }
    // maskTruncated: the cut completions' advantages become null, no other advantage moves
    const masked = await from({ maskTruncated: true });
    deepStrictEqual(masked.request.advantages, request.advantages.map((a, i) => (cut[i] ? null : a)));
    // overlong: only the groups holding a cut completion change (its reward takes the penalty, the group mean moves)
    const over = (await from({ overlong: { buffer: 4, penalty: 0.5 } })).request.advantages;
    const kinds = [...new Set(samples.map((s) => s.promptId))].map((id) => {
      const rows = samples.flatMap((s, i) => (s.promptId === id ? [i] : []));
      const someCut = rows.filter((i) => cut[i]).length;
      if (someCut === 0) deepStrictEqual(rows.map((i) => over[i]), rows.map((i) => request.advantages[i]), id);
      else if (someCut < rows.length) ok(rows.some((i) => over[i] !== request.advantages[i]), id);
      return someCut === 0 ? 'none' : someCut < rows.length ? 'some' : 'all';
    });
    ok(kinds.includes('some'), `no group with some completions cut: ${kinds}`);
    // dynamic sampling: round 0 is the default's generation; its constant groups are dropped (null), the others keep their advantages
    const dynamic = await from({ dynamicSampling: { maxGenerationRounds: 4 } });
    deepStrictEqual((dynamic.samples as Sample[]).slice(0, samples.length).map(({ advantage: a, ...s }) => s), samples.map(({ advantage: a, ...s }) => s));
    const constant = samples.map((s) => samples.filter((t) => t.promptId === s.promptId).every((t) => (t as { score?: unknown }).score === (s as { score?: unknown }).score));
    ok(constant.some((c) => c), 'no constant group in round 0');
    deepStrictEqual(dynamic.request.advantages, request.advantages.map((a, i) => (constant[i] ? null : a)));
  });

  it('updatesPerBatch 2 x miniBatches 3: six optimizer steps against the kept pi_old', async () => {
    const { request, metrics } = await step({ updatesPerBatch: 2, miniBatches: 3 });
    strictEqual(request.updatesPerBatch, 2);
    strictEqual(request.miniBatches, 3);
    strictEqual(metrics.updates, 6);
    ok((metrics.approx_kl as number) > 0, `approx_kl ${metrics.approx_kl}`);
  });

  for (const lossType of ['gspo', 'cispo'] as const) {
    it(`lossType ${lossType} trains (finite loss, one step)`, async () => {
      const { request, metrics } = await step({ lossType });
      strictEqual(request.lossType, lossType);
      strictEqual(metrics.updates, 1);
      ok(Number.isFinite(metrics.loss as number) && (metrics.grad_norm as number) > 0);
    });
  }

  it('maskTruncated: completions cut at maxTokens get null advantages; overlong penalises them', async () => {
    // stop at any lower-case letter: the untrained model ends some completions early and runs others to maxTokens
    const sampling = { maxTokens: 8, stop: [...'aeioustnrlhdcmpy'] };
    const { request, samples, metrics } = await step({ maskTruncated: true, overlong: { buffer: 4, penalty: 0.5 }, sampling });
    const cut = (samples as { finishReason: string; advantage: number | null }[]).filter((s) => s.finishReason === 'length');
    ok(cut.length > 0 && cut.length < samples.length, `${cut.length} of ${samples.length} completions reached maxTokens`);
    ok(cut.every((s) => s.advantage === null));
    strictEqual(metrics['completion/masked_truncated'], cut.length);
    strictEqual(request.advantages.filter((a) => a === null).length, cut.length);
    ok((metrics['overlong/penalty_mean'] as number) < 0);
  });

  it('dynamic sampling: even prompts (constant reward) are dropped and more prompts generated', async () => {
    const { request, metrics, samples } = await step({ dynamicSampling: { maxGenerationRounds: 4 } });
    ok((metrics['groups/generation_rounds'] as number) > 1, `rounds ${metrics['groups/generation_rounds']}`);
    ok((metrics['groups/dropped'] as number) > 0);
    const trained = new Set((samples as { promptId: string; advantage: number | null }[]).filter((s) => s.advantage !== null).map((s) => s.promptId));
    ok([...trained].every((id) => Number(id.slice(1)) % 2 === 1), [...trained].join());
    ok(trained.size <= 3);
    strictEqual(request.moreRollouts?.length, (metrics['groups/generation_rounds'] as number) - 1);
  });

  it('normalize_then_sum: the request carries GDPO advantages of the step\'s per-plugin rewards, not the summed ones', async () => {
    const { request, samples } = await step({ estimator: 'grpo', rewardAggregation: 'normalize_then_sum' });
    type Logged = AdvantageInput & { promptId: string };
    const rows = samples as Logged[];
    const groups = [...new Set(rows.map((r) => r.promptId))].map((id) => rows.filter((r) => r.promptId === id));
    const options = { estimator: 'grpo', scale: 'group', plugins: engine.plugins, maxTokens: 8, maskTruncated: false, dropZeroVarianceGroups: false } as const;
    const gdpo = grpoAdvantages(groups, { ...options, rewardAggregation: 'normalize_then_sum' }).advantages.flat();
    const summed = grpoAdvantages(groups, { ...options, rewardAggregation: 'sum_then_normalize' }).advantages.flat();
    deepStrictEqual(request.advantages, gdpo);
    ok(gdpo.some((x, i) => Math.abs((x as number) - (summed[i] as number)) > 1e-6));
  });
});
