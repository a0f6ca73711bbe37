// Phases against a real tiny policy server: each phase's own learning rate, resetOptimizer and the KL reference
// at phase start, SFT in the chat format of the GRPO prompts, and a phase's data read once (at validation).
import { deepStrictEqual, ok, strictEqual } from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchPolicyServer, type PolicyServerHandle } from '@molrl/policy-client';
import { runTrainJob, validateJobConfig } from '@molrl/core';
import { skipUnless, torchMissing } from '../../../../test/helpers/requirements.ts';

const jsonl = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
const quiet = { info() {}, warn() {} };
const lines = (rows: object[]) => rows.map((r) => JSON.stringify(r)).join('\n');

describe('phases on the policy server (tiny model)', function () {
  this.timeout(240_000);
  let dir: string;
  let server: PolicyServerHandle;
  let job = 0;
  before(async function () {
    skipUnless(this, await torchMissing(), 'phases train on the real policy server, which needs PyTorch');
    dir = mkdtempSync(join(tmpdir(), 'molrl-phases-'));
    // A reward that differs between completions (so every GRPO step trains): the byte sum modulo 7, in [0, 1).
    writeFileSync(join(dir, 'bytes.mjs'), "export default { name: 'reward:bytes', version: '1.0.0', apiVersion: '^1', description: 'byte sum mod 7', optionsSchema: false, score: (s) => [...s.completion].reduce((a, c) => a + c.charCodeAt(0), 0) % 7 / 7 };\n");
    // The same reward, but scoring the first eval sample at step 2 interrupts the run (as Ctrl-C would, mid-eval).
    writeFileSync(join(dir, 'bytes-interrupt.mjs'), "export default { name: 'reward:bytes-interrupt', version: '1.0.0', apiVersion: '^1', description: 'byte sum mod 7; interrupts in the step-2 eval', optionsSchema: false, score: (s) => { if (s.id.startsWith('eval-2/')) globalThis.molrlTestInterrupt?.(); return [...s.completion].reduce((a, c) => a + c.charCodeAt(0), 0) % 7 / 7; } };\n");
    writeFileSync(join(dir, 'text.jsonl'), lines(Array.from({ length: 8 }, (_, i) => ({ id: `q${i}`, prompt: `Q: ${i}+1\nA:` }))));
    writeFileSync(join(dir, 'chat.jsonl'), lines(Array.from({ length: 8 }, (_, i) => ({ id: `q${i}`, messages: [{ role: 'user', content: `Q: ${i}+1` }] }))));
    writeFileSync(join(dir, 'demos.jsonl'), lines([{ prompt: 'Q: 37*12+5', completion: 'print(37*12+5)' }]));
    const trace = (i: number) => ({ id: `t${i}`, messages: [{ role: 'user', content: `task ${i}` }, { role: 'assistant', content: 'print(1)' }, { role: 'user', content: `Observation: ${i}` }] });
    writeFileSync(join(dir, 'traces.jsonl'), lines(Array.from({ length: 6 }, (_, i) => trace(i))));
    server = await launchPolicyServer({ model: 'tiny', modelConfig: { context: 256 }, port: 0, seed: 0, threads: 1, checkpointRoot: dir, extraArgs: ['--lr', '5e-4'], onLog: () => {} });
  });
  after(async () => server?.stop());

  const config = (phases: object[], train = 'text.jsonl', extra: object = {}) =>
    validateJobConfig(
      { name: `job${++job}`, model: 'tiny', server: { url: server.client.url }, dataset: { train, evalFraction: 0.25 }, rewards: [{ plugin: './bytes.mjs' }], sandbox: { backend: 'process' }, phases, seed: 3, ...extra },
      dir,
    );
  const sft = { type: 'sft', data: 'demos.jsonl', steps: 4, batchSize: 2, learningRate: 1e-3, schedule: 'cosine', logEvery: 1 };
  const grpo = { type: 'grpo', steps: 2, promptsPerStep: 2, groupSize: 3, sampling: { maxTokens: 6 }, beta: 0.5 };

  it('every phase trains at its own rate: a GRPO phase without one gets the server rate, not the end of the SFT cosine', async () => {
    const run = await runTrainJob({ config: config([sft, { ...grpo, reference: 'base' }]), logger: quiet });
    const metrics = jsonl(join(run.runDir, 'metrics.jsonl'));
    const sftRates = metrics.filter((m) => m.phaseType === 'sft').map((m) => m.learning_rate as number);
    strictEqual(sftRates[0], 1e-3);
    ok(sftRates[3] < 2e-4, `cosine end ${sftRates[3]}`);
    const grpoRates = metrics.filter((m) => m.phaseType === 'grpo').map((m) => m.learning_rate);
    strictEqual(grpoRates.length, 2);
    ok(grpoRates.every((r) => r === 5e-4), JSON.stringify(grpoRates));
  });

  it('reference phase-start: the first GRPO step has KL 0 to the weights SFT left; reference base does not', async () => {
    const kl0 = async (reference: string) => {
      const run = await runTrainJob({ config: config([sft, { ...grpo, reference, resetOptimizer: true, learningRate: 1e-3 }]), logger: quiet });
      return jsonl(join(run.runDir, 'metrics.jsonl')).filter((m) => m.phaseType === 'grpo')[0].kl as number;
    };
    const start = await kl0('phase-start');
    const base = await kl0('base');
    ok(Math.abs(start) < 1e-6, `phase-start kl ${start}`);
    ok(base > 1e-4, `base kl ${base}`);
  });

  it('SFT on chat-format prompts trains chat-template turns: greedy decoding of the chat prompt gives the completion', async () => {
    const chatSft = { ...sft, steps: 40, batchSize: 8, learningRate: 3e-3, schedule: 'constant', logEvery: 40 };
    await runTrainJob({ config: config([chatSft], 'chat.jsonl'), logger: quiet });
    const greedy = await server.client.generate({ prompts: [{ id: 'p', messages: [{ role: 'user', content: 'Q: 37*12+5' }] }], sampling: { temperature: 0, maxTokens: 20 } });
    strictEqual(greedy.completions[0].text, 'print(37*12+5)');
  });

  it('a MoL phase trains on the traces read when the config was validated (not read again)', async () => {
    const file = join(dir, 'traces-once.jsonl');
    writeFileSync(file, readFileSync(join(dir, 'traces.jsonl')));
    const cfg = config([{ type: 'mol', dataset: 'traces-once.jsonl', epochs: 2, batchSize: 4, learningRate: 1e-3, modelType: 'non-cot', validation: { fraction: 0.2, every: 1 } }]);
    strictEqual(cfg.phases[0].steps, 3); // 5 training traces x 2 epochs / 4
    rmSync(file);
    const run = await runTrainJob({ config: cfg, logger: quiet });
    const mol = jsonl(join(run.runDir, 'metrics.jsonl')).filter((m) => m.phaseType === 'mol');
    strictEqual(mol.length, 3);
    ok(mol.every((m) => (m.ce_tokens as number) > 0));
  });

  it('an interrupt during a step\'s eval lets the eval finish: the resumed run repeats no line and loses none', async () => {
    const stop = new AbortController();
    (globalThis as { molrlTestInterrupt?: () => void }).molrlTestInterrupt = () => stop.abort();
    try {
      // scoring.workers 0: the plugin runs in this thread, where it can reach the test's interrupt
      const cfg = config([{ ...grpo, steps: 4, beta: 0 }], 'text.jsonl', { rewards: [{ plugin: './bytes-interrupt.mjs' }], scoring: { workers: 0 }, eval: { every: 2, samples: 2, sampling: { maxTokens: 6 }, greedy: false } });
      const first = await runTrainJob({ config: cfg, signal: stop.signal, logger: quiet });
      strictEqual(first.status, 'interrupted');
      const state = JSON.parse(readFileSync(join(first.runDir, 'state.json'), 'utf8')) as { stepInPhase: number };
      strictEqual(state.stepInPhase, 2, 'the step whose eval was interrupted is done');
      const second = await runTrainJob({ resume: first.runDir, logger: quiet });
      strictEqual(second.status, 'finished');
      const metrics = jsonl(join(first.runDir, 'metrics.jsonl'));
      deepStrictEqual(metrics.filter((m) => m['reward/mean'] !== undefined).map((m) => m.step), [1, 2, 3, 4]);
      deepStrictEqual(metrics.filter((m) => m['eval/reward/mean'] !== undefined).map((m) => m.step), [0, 2, 4]);
    } finally {
      delete (globalThis as { molrlTestInterrupt?: () => void }).molrlTestInterrupt;
    }
  });
});
