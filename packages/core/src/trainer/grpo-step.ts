// One GRPO / Dr.GRPO step: sample prompts -> generate G each (streamed) -> score as they arrive -> advantages -> /v1/train/policy.
import type { PolicyClient } from '@molrl/policy-client';
import { computeAdvantages } from '../advantages/compute-advantages.ts';
import type { GrpoPhaseConfig } from '../config/job-config-types.ts';
import type { DatasetRow } from '../dataset/load-dataset.ts';
import type { RewardEngine } from '../types.ts';
import { generateAndScore } from './generate-and-score.ts';
import type { MetricsRecord } from './phase-context.ts';
import { infraErrorReasons, rewardMetrics } from './reward-metrics.ts';
import { sampleWithoutReplacement, seededRandom } from './seeded-random.ts';

/** What one step produced. */
export interface GrpoStepResult {
  metrics: MetricsRecord;
  samples: object[];
  /** Distinct infra-error reasons of this step (empty when none). */
  infraErrors: string[];
}

/** Runs one step; `seed` fixes the prompt choice and generation (the same on resume). */
export async function grpoStep(
  client: PolicyClient,
  engine: RewardEngine,
  train: readonly DatasetRow[],
  phase: GrpoPhaseConfig,
  opts: { seed: number; step: number; dedupe?: boolean; signal?: AbortSignal; chatTemplateKwargs?: Record<string, unknown> },
): Promise<GrpoStepResult> {
  const t0 = performance.now();
  const rows = sampleWithoutReplacement(train, phase.promptsPerStep, seededRandom(opts.seed)); // B/G prompts
  const G = phase.groupSize; // G: group size
  const rollout = await generateAndScore(client, engine, rows, {
    n: G,
    sampling: phase.sampling,
    seed: opts.seed,
    step: opts.step,
    idPrefix: `step-${opts.step}`,
    dedupe: opts.dedupe ?? true,
    ...(opts.chatTemplateKwargs ? { chatTemplateKwargs: opts.chatTemplateKwargs } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  const t1 = performance.now();
  const rewards = rollout.groups.map((g) => g.map((c) => c.scored.score)); // r: rewards per group
  const advantages = computeAdvantages(rewards, { estimator: phase.estimator, scale: phase.scale });
  let zeroVariance = 0;
  rewards.forEach((g, p) => {
    const scored = g.filter((r): r is number => r !== null);
    if (scored.length >= 2 && scored.every((r) => r === scored[0])) {
      zeroVariance++;
      if (phase.dropZeroVarianceGroups) advantages[p] = advantages[p].map(() => null);
    }
  });
  const flat = advantages.flat(); // canonical order: prompt by prompt, index 0..G-1
  const trained = flat.some((a) => a !== null && a !== 0);
  const train$ = trained
    ? await client.trainPolicy(
        {
          rolloutId: rollout.rolloutId,
          advantages: flat,
          lossType: phase.lossType ?? 'grpo',
          clip: phase.clip,
          beta: phase.beta,
          maxCompletionLength: phase.maxCompletionLength ?? phase.sampling.maxTokens ?? 256,
          microBatchSize: phase.microBatchSize,
          ...(phase.microBatchTokens === undefined ? {} : { microBatchTokens: phase.microBatchTokens }),
          ...(phase.learningRate === undefined ? {} : { learningRate: phase.learningRate }),
        },
        opts.signal ? { signal: opts.signal } : {},
      )
    : null;
  const t2 = performance.now();
  const all = rollout.groups.flat();
  const scoredSamples = all.map((c) => c.scored);
  const lengths = all.map((c) => c.completion.tokenCount);
  const metrics: MetricsRecord = {
    ...rewardMetrics(scoredSamples),
    loss: train$?.loss ?? null,
    kl: train$?.kl ?? null,
    clip_fraction: train$?.clipFraction ?? null,
    grad_norm: train$?.gradNorm ?? null,
    entropy: train$?.entropy ?? null,
    'logprob/mismatch_mean': train$?.logprobMismatch ?? null,
    'logprob/mismatch_max': train$?.logprobMismatchMax ?? null,
    'completion/length_mean': lengths.reduce((a, b) => a + b, 0) / Math.max(1, lengths.length),
    'completion/clipped_ratio': all.filter((c) => c.completion.finishReason === 'length').length / Math.max(1, all.length),
    'completion/tokens': lengths.reduce((a, b) => a + b, 0),
    'throughput/generate_tokens_per_s': rollout.timing.generateMs > 0 ? lengths.reduce((a, b) => a + b, 0) / (rollout.timing.generateMs / 1000) : null,
    'groups/zero_variance': zeroVariance,
    'time/generate': rollout.timing.generateMs / 1000,
    'time/score': rollout.timing.scoreExposedMs / 1000,
    'time/score_span': rollout.timing.scoreSpanMs / 1000,
    'score/hidden_fraction': rollout.timing.scoreHiddenFraction,
    'time/train': (t2 - t1) / 1000,
    'time/server_train': train$?.durationMs === undefined ? null : train$.durationMs / 1000,
    'time/step': (t2 - t0) / 1000,
  };
  const samples = rollout.groups.flatMap((g, p) =>
    g.map((c, i) => ({
      step: opts.step,
      promptId: c.row.id,
      prompt: c.row.prompt,
      index: i,
      completion: c.completion.text,
      tokenCount: c.completion.tokenCount,
      finishReason: c.completion.finishReason,
      score: c.scored.score,
      status: c.scored.status,
      advantage: advantages[p][i],
      rewards: Object.fromEntries(Object.entries(c.scored.rewards).map(([k, r]) => [k, { score: r.score, status: r.status, components: r.components, reason: r.reason, error: r.error }])),
      ...(c.scored.feedback ? { feedback: c.scored.feedback } : {}),
    })),
  );
  return { metrics, samples, infraErrors: infraErrorReasons(scoredSamples) };
}
