// feedbackRegeneration against the real policy server (tiny model): off, the step is today's; on, failing completions
// are generated again under the extended prompt and trained as extra rows with their advantages; a short run trains.
import { deepStrictEqual, ok, strictEqual } from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchPolicyServer, type PolicyServerHandle, type TrainPolicyRequest } from '@molrl/policy-client';
import { createRewardEngine, extendPrompt, grpoStep, reattachRows, regeneratedAdvantages, type DatasetRow, type RewardEngine } from '@molrl/core';
import { skipUnless, torchMissing } from '../../../../test/helpers/requirements.ts';
import { grpoTestPhase, recordedStep } from './grpo-step-harness.ts';

// reward: the share of digits among the completion's characters (1 when all are), with the feedback of a test harness
const DIGITS_PLUGIN =
  "export default { name: 'reward:digits', version: '1.0.0', apiVersion: '^1', description: 'share of digits', optionsSchema: false, score: (s) => { const d = [...s.completion].filter((c) => c >= '0' && c <= '9').length; return { score: s.completion.length ? d / s.completion.length : 0, feedback: `Observation: Execution logs:\\n${d} digits of ${s.completion.length}` }; } };\n";

type Logged = { promptId: string; prompt: unknown; index: number; completion: string; score: number | null; advantage: number | null; feedback?: string; feedbackRound?: number; group?: number };

describe('grpoStep feedbackRegeneration (policy server, tiny model)', function () {
  this.timeout(300_000);
  let dir: string;
  let server: PolicyServerHandle;
  let engine: RewardEngine;
  const requests: TrainPolicyRequest[] = [];
  const train: DatasetRow[] = Array.from({ length: 8 }, (_, i) => ({ id: `q${i}`, prompt: `Q: ${i}+1\nA:`, metadata: {} }));

  before(async function () {
    skipUnless(this, await torchMissing(), 'feedback regeneration trains on the real policy server, which needs PyTorch');
    dir = mkdtempSync(join(tmpdir(), 'molrl-feedback-'));
    writeFileSync(join(dir, 'digits.mjs'), DIGITS_PLUGIN);
    writeFileSync(join(dir, 'data.jsonl'), train.map((r) => JSON.stringify(r)).join('\n'));
    server = await launchPolicyServer({ model: 'tiny', modelConfig: { context: 128 }, port: 0, seed: 0, threads: 1, checkpointRoot: dir, onLog: () => {} });
    engine = await createRewardEngine({ rewards: [{ plugin: './digits.mjs' }], sandbox: { backend: 'process' } }, { baseDir: dir });
  });
  after(async () => {
    await engine?.close();
    await server?.stop();
  });

  const phase = (options: object) => grpoTestPhase(dir, server.client.url, './digits.mjs', { estimator: 'grpo', learningRate: 1e-3, ...options });
  const step = async (options: object, seed = 5) => {
    const result = await recordedStep(server.client, requests, engine, train, phase(options), seed, 1e-3);
    return { ...result, samples: result.samples as Logged[] };
  };

  it('off, the step is today\'s; on, from the same weights, the original rollout and its advantages are the same, the regenerated rows come extra', async () => {
    await server.client.saveCheckpoint({ path: join(dir, 'before') });
    const off = await step({});
    await server.client.loadCheckpoint({ path: join(dir, 'before') });
    const on = await step({ feedbackRegeneration: { share: 0.5 } });
    deepStrictEqual(Object.keys(off.request).sort(), ['advantages', 'beta', 'clip', 'learningRate', 'lossType', 'maxCompletionLength', 'microBatchSize', 'rolloutId']);
    ok(!Object.keys(off.metrics).some((k) => k.startsWith('feedback/')));
    const originals = on.samples.filter((s) => s.feedbackRound === undefined);
    deepStrictEqual(originals, off.samples);
    deepStrictEqual(on.request.advantages, off.request.advantages);
    const { rolloutId: _a, moreRollouts, ...rest } = on.request;
    const { rolloutId: _b, ...restOff } = off.request;
    deepStrictEqual(rest, restOff);
    strictEqual(moreRollouts?.length, 1);

    // share 0.5: of each group, the first ceil(failing / 2) failing completions by index
    const regenerated = on.samples.filter((s) => s.feedbackRound === 1);
    const picked = [0, 1, 2].flatMap((p) => {
      const group = originals.slice(4 * p, 4 * p + 4).filter((s) => (s.score as number) < 1);
      return group.slice(0, Math.ceil(group.length / 2)).map((s) => ({ p, s }));
    });
    ok(picked.length > 0, 'the untrained model fails some completions');
    strictEqual(on.metrics['feedback/regenerated'], picked.length);
    strictEqual(regenerated.length, picked.length);
    regenerated.forEach((r, k) => {
      const { p, s } = picked[k];
      strictEqual(r.group, p);
      strictEqual(r.index, s.index);
      strictEqual(r.promptId, `${s.promptId}#fb1.${k}`);
      strictEqual(r.prompt, extendPrompt(train.find((t) => t.id === s.promptId)!.prompt, s.completion, s.feedback!));
    });
    const scores = regenerated.map((r) => r.score as number);
    strictEqual(on.metrics['feedback/reward_mean'], scores.reduce((a, b) => a + b, 0) / scores.length);
    strictEqual(on.metrics['feedback/success_rate'], scores.filter((x) => x >= 1).length / scores.length);
    const want = regeneratedAdvantages([0, 1, 2].map((p) => originals.slice(4 * p, 4 * p + 4).map((s) => s.score)), regenerated.map((r) => ({ group: r.group!, score: r.score, status: 'ok', finishReason: 'eos' })), { estimator: 'grpo', scale: 'group', maskTruncated: false });
    deepStrictEqual(moreRollouts[0].advantages, want);
    deepStrictEqual(regenerated.map((r) => r.advantage), want);
  });

  it('rounds: chains still failing are extended again by their new completion and feedback; prompts over the context are left out and counted', async () => {
    // maxTokens 4: x + y + o is about 57 tokens, two extensions about 105, three about 153 > the context 128
    const { metrics, samples, request } = await step({ sampling: { maxTokens: 4 }, feedbackRegeneration: { rounds: 3 } }, 9);
    const [first, second, third] = [1, 2, 3].map((r) => samples.filter((s) => s.feedbackRound === r));
    const failing = (xs: Logged[]) => xs.filter((s) => (s.score as number) < 1);
    ok(second.length > 0, 'some chains reach round 2');
    strictEqual(second.length, failing(first).length);
    strictEqual(third.length, 0);
    strictEqual(metrics['feedback/too_long'], failing(second).length);
    strictEqual(metrics['feedback/rounds'], 2);
    strictEqual(request.moreRollouts?.length, 2);
    for (const s of second) {
      const parent = failing(first).find((f) => f.group === s.group && f.index === s.index)!;
      strictEqual(s.prompt, `${parent.prompt}${parent.completion}\n${parent.feedback}\n`);
    }
  });

  it("mode 'importance': the regenerated rows are reattached to their parents' rows of the original rollout, with the weight cap", async () => {
    const { metrics, samples, request } = await step({ feedbackRegeneration: { mode: 'importance', weightCap: 2 } });
    const regenerated = samples.filter((s) => s.feedbackRound === 1);
    ok(regenerated.length > 0);
    deepStrictEqual(request.moreRollouts?.[0].reattach, { rows: regenerated.map((r) => ({ rolloutId: request.rolloutId, row: 4 * r.group! + r.index })), weightCap: 2 });
    const w = metrics['feedback/importance_weight_mean'] as number;
    ok(w > 0 && w <= 2, `importance weight mean ${w}`);
  });

  for (const mode of ['extended', 'importance'] as const) {
    it(`a short run with mode '${mode}' trains: finite losses, the reward rises`, async () => {
      if (mode === 'extended') await server.client.saveCheckpoint({ path: join(dir, 'run-start') });
      else await server.client.loadCheckpoint({ path: join(dir, 'run-start') }); // both runs from the same weights
      const rewards: number[] = [];
      const options = { feedbackRegeneration: { mode }, promptsPerStep: 4, groupSize: 6, learningRate: 3e-3 };
      for (let s = 1; s <= 8; s++) {
        const result = await grpoStep(server.client, engine, train, phase(options), { seed: 100 + s, step: s, learningRate: 3e-3 });
        ok(Number.isFinite(result.metrics.loss as number), `step ${s}: loss ${result.metrics.loss}`);
        ok((result.metrics['feedback/regenerated'] as number) > 0, `step ${s}: nothing regenerated`);
        rewards.push(result.metrics['reward/mean'] as number);
      }
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      ok(mean(rewards.slice(-3)) > mean(rewards.slice(0, 3)), `train reward ${rewards.map((r) => r.toFixed(3)).join(' ')}`);
    });
  }
});

describe('reattachRows', () => {
  it('maps a regenerated row to its parent: the rollout holding its group, canonical row = rows of earlier groups + index', () => {
    const rollouts = [{ rolloutId: 'r0', groups: [[1, 2, 3], [1, 2, 3]] }, { rolloutId: 'r1', groups: [[1, 2, 3], [1, 2, 3]] }];
    const round = [{ group: 0, parent: 2 }, { group: 1, parent: 0 }, { group: 3, parent: 1 }].map((r) => ({ ...r, round: 1, sample: undefined as never }));
    deepStrictEqual(reattachRows(rollouts, round), [{ rolloutId: 'r0', row: 2 }, { rolloutId: 'r0', row: 3 }, { rolloutId: 'r1', row: 4 }]);
  });
});
