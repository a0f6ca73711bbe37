// A run store written through the real RunStore API with lines shaped like the trainer's (SFT, then GRPO with
// evals), deterministic, any size: the report's tests use a small one, its benchmark 10,000 steps.
import { RunStore } from '@molrl/core';

/** Shape of the synthetic run. */
export interface SyntheticRunOptions {
  name?: string;
  sftSteps?: number;
  /** SFT logs every k steps. */
  sftLogEvery?: number;
  grpoSteps?: number;
  /** Eval every k GRPO steps (and at 0 and the end). */
  evalEvery?: number;
  promptsPerStep?: number;
  groupSize?: number;
  /** Every k-th sample is an infra_error / plugin_error (0: none). */
  infraErrorEvery?: number;
  pluginErrorEvery?: number;
  /** Long completions (characters). */
  completionChars?: number;
  /** Write state.json as finished. @default true */
  finished?: boolean;
}

/** What was written, for assertions. */
export interface SyntheticRun {
  dir: string;
  sftLines: number;
  grpoLines: number;
  evalLines: number;
  samples: number;
  infraErrors: number;
  pluginErrors: number;
}

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

/** Writes the run into `runsDir` and returns its directory and line counts. */
export function writeSyntheticRun(runsDir: string, o: SyntheticRunOptions = {}): SyntheticRun {
  const sftSteps = o.sftSteps ?? 20;
  const sftLogEvery = o.sftLogEvery ?? 5;
  const grpoSteps = o.grpoSteps ?? 10;
  const evalEvery = o.evalEvery ?? 5;
  const B = o.promptsPerStep ?? 2;
  const G = o.groupSize ?? 4;
  const config = {
    name: o.name ?? 'synthetic',
    model: 'tiny',
    dataset: { train: '/nonexistent/train.jsonl' },
    rewards: [{ plugin: 'reward:code-execution' }],
    phases: [
      { type: 'sft', data: 'sft.jsonl', steps: sftSteps, logEvery: sftLogEvery },
      { type: 'grpo', estimator: 'dr_grpo', steps: grpoSteps, promptsPerStep: B, groupSize: G },
    ],
    seed: 1,
  };
  const store = RunStore.create(runsDir, config.name, config);
  const rand = lcg(7);
  const t0 = Date.parse('2026-11-29T12:00:00Z');
  const time = (step: number) => new Date(t0 + step * 1500).toISOString();
  const out: SyntheticRun = { dir: store.dir, sftLines: 0, grpoLines: 0, evalLines: 0, samples: 0, infraErrors: 0, pluginErrors: 0 };
  const batch: object[] = [];
  const flush = (force = false) => {
    if (batch.length >= 2000 || (force && batch.length)) store.appendMetrics(batch.splice(0));
  };
  for (let step = sftLogEvery; step <= sftSteps; step += sftLogEvery) {
    batch.push({ step, phase: 0, phaseType: 'sft', 'sft/loss': 3 * Math.exp(-step / (sftSteps / 3)) + 0.1 * rand(), 'sft/learning_rate': 0.003, grad_norm: 1 + rand(), 'time/train': 0.05 + 0.01 * rand(), time: time(step) });
    out.sftLines++;
    flush();
  }
  const evalLine = (k: number) => {
    const acc = Math.min(1, 0.3 + (0.6 * k) / grpoSteps);
    batch.push({ step: sftSteps + k, phase: 1, phaseType: 'grpo', 'eval/reward/mean': acc, 'eval/reward/std': 0.2, 'eval/reward/status/ok': 64, 'eval/reward/status/abstain': 0, 'eval/reward/status/infra_error': 0, 'eval/pass@1': acc * 0.9, 'eval/temperature': 1, 'eval/greedy/accuracy': acc, 'eval/greedy/accuracy/faulted': acc * 0.8, 'eval/greedy/accuracy/plain': acc, 'time/eval': 2, time: time(sftSteps + k) });
    out.evalLines++;
  };
  evalLine(0);
  let sampleBatch: object[] = [];
  let n = 0;
  for (let k = 1; k <= grpoSteps; k++) {
    const step = sftSteps + k;
    const progress = k / grpoSteps;
    const statuses = { ok: 0, abstain: 0, infra_error: 0, plugin_error: 0 };
    const scores: number[] = [];
    for (let p = 0; p < B; p++) {
      for (let i = 0; i < G; i++) {
        n++;
        let status: keyof typeof statuses = 'ok';
        if (o.infraErrorEvery && n % o.infraErrorEvery === 0) status = 'infra_error';
        else if (o.pluginErrorEvery && n % o.pluginErrorEvery === 0) status = 'plugin_error';
        statuses[status]++;
        const correct = status === 'ok' && rand() < 0.3 + 0.6 * progress ? 1 : 0;
        const score = status === 'ok' ? (correct ? 1 : 0.4) : null;
        if (score !== null) scores.push(score);
        if (status === 'infra_error') out.infraErrors++;
        if (status === 'plugin_error') out.pluginErrors++;
        const answer = correct ? 7 + p : 3 + p;
        const pad = o.completionChars ? ` # ${'x'.repeat(Math.max(0, o.completionChars - 20))}` : '';
        sampleBatch.push({
          step,
          promptId: `q${(k * B + p) % 97}`,
          prompt: `Write a program that prints ${p} + 7.${p % 2 ? ' (faulted)' : ''}`,
          index: i,
          completion: `print(${answer})${pad}`,
          tokenCount: 6 + (i % 3),
          finishReason: i === G - 1 ? 'length' : 'stop',
          score,
          status,
          advantage: score === null ? null : score - 0.7,
          rewards: {
            'reward:code-execution': {
              score,
              status,
              components: status === 'ok' ? { parses: 1, executes: 1, correct } : {},
              ...(status === 'infra_error' ? { error: { code: 'SANDBOX_CONTAINER_FAILED', message: 'container died' } } : {}),
              ...(status === 'plugin_error' ? { error: { code: 'PLUGIN_HOOK_FAILED', message: 'score threw TypeError' } } : {}),
            },
          },
          ...(status === 'ok' ? { feedback: `Observation: Execution logs:\n${answer}\n` } : {}),
        });
        out.samples++;
      }
    }
    if (sampleBatch.length >= 5000) {
      store.appendSamples(sampleBatch);
      sampleBatch = [];
    }
    const mean = scores.reduce((a, b) => a + b, 0) / Math.max(1, scores.length);
    const std = Math.sqrt(scores.reduce((a, s) => a + (s - mean) ** 2, 0) / Math.max(1, scores.length));
    batch.push({
      step,
      phase: 1,
      phaseType: 'grpo',
      'reward/mean': mean,
      'reward/std': std,
      'reward/status/ok': statuses.ok,
      'reward/status/abstain': statuses.abstain,
      'reward/status/infra_error': statuses.infra_error,
      'reward/status/plugin_error': statuses.plugin_error,
      'reward/reward:code-execution': mean,
      'reward/reward:code-execution/parses': 1,
      'reward/reward:code-execution/executes': 1,
      'reward/reward:code-execution/correct': (mean - 0.4) / 0.6,
      loss: 0.1 * rand() - 0.05,
      kl: null,
      clip_fraction: 0.05 * rand(),
      grad_norm: rand(),
      entropy: 1.5 - progress,
      'completion/length_mean': 7,
      'completion/clipped_ratio': 1 / G,
      'groups/zero_variance': Math.floor(rand() * B),
      'time/generate': 1 + rand(),
      'time/score': 0.2 * rand(),
      'time/train': 0.5 + 0.1 * rand(),
      'time/step': 2,
      time: time(step),
    });
    out.grpoLines++;
    if (k % evalEvery === 0 || k === grpoSteps) evalLine(k);
    flush();
  }
  flush(true);
  if (sampleBatch.length) store.appendSamples(sampleBatch);
  store.writeState({ phase: o.finished === false ? 1 : 2, stepInPhase: o.finished === false ? grpoSteps : 0, globalStep: sftSteps + grpoSteps, checkpoint: null, finished: o.finished !== false });
  store.close(); // releases the run's lock, as a trainer does when it ends
  return out;
}
