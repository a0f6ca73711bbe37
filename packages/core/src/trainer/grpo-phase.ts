// The `{ type: 'grpo' }` phase: GRPO / Dr.GRPO / RLOO steps (generate G per prompt, score, advantages, policy step), evals every k.
import type { LossType, PolicyClient, SamplingParams } from '@molrl/policy-client';
import { computeAdvantages, type AdvantageEstimator } from '../advantages/compute-advantages.ts';
import { int, samplingSchema } from '../config/schema-fragments.ts';
import type { DatasetRow } from '../dataset/load-dataset.ts';
import type { RewardEngine } from '../types.ts';
import { definePhase, type PhaseConfigBase } from './define-phase.ts';
import { generateAndScore } from './generate-and-score.ts';
import { learningRateAt, scheduleProblems, scheduleProperties, type LearningRateSchedule } from './learning-rate-schedule.ts';
import type { MetricsRecord } from './phase-context.ts';
import { infraErrorReasons, rewardMetrics } from './reward-metrics.ts';
import { sampleWithoutReplacement, seededRandom, stepSeed } from './seeded-random.ts';

/** A GRPO / Dr.GRPO phase. */
export interface GrpoPhaseConfig extends PhaseConfigBase, LearningRateSchedule {
  type: 'grpo';
  /** @default 'grpo' */
  estimator: AdvantageEstimator;
  /** grpo: std of the group, of the batch, or none. @default 'group' */
  scale: 'group' | 'batch' | 'none';
  /** B/G: prompts per step. @default 16 */
  promptsPerStep: number;
  /** G: completions per prompt. @default 8 */
  groupSize: number;
  sampling: SamplingParams;
  /** Loss aggregation; resolved from the estimator when absent ('dr_grpo' for dr_grpo, else 'grpo'). */
  lossType?: LossType;
  clip: { low: number; high: number };
  /** k3 KL weight. @default 0 */
  beta: number;
  maxCompletionLength?: number;
  /** @default 8 */
  microBatchSize: number;
  /** Token budget of a micro-batch (rows x longest sequence); default: the server's. */
  microBatchTokens?: number;
  /** Truncated importance sampling: each token's policy term weighted by min(exp(log p_train - log p_sampler), tisCap). */
  tisCap?: number;
  /** Chat-template options of this phase's generate requests, over `dataset.chatTemplateKwargs`. */
  chatTemplateKwargs?: Record<string, unknown>;
  /** Groups whose rewards are all equal get null advantages (not trained on). @default false */
  dropZeroVarianceGroups: boolean;
}

/** What one step produced. */
export interface GrpoStepResult {
  metrics: MetricsRecord;
  samples: object[];
  /** Distinct infra-error reasons of this step (empty when none). */
  infraErrors: string[];
}

/**
 * Runs one step; `seed` fixes the prompt choice and generation (the same on resume); `learningRate` undefined: the
 * server's own. `signal` cuts generation and scoring short, never the training call.
 */
export async function grpoStep(
  client: PolicyClient,
  engine: RewardEngine,
  train: readonly DatasetRow[],
  phase: GrpoPhaseConfig,
  opts: { seed: number; step: number; learningRate?: number | undefined; dedupe?: boolean; signal?: AbortSignal; chatTemplateKwargs?: Record<string, unknown> },
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
          ...(opts.learningRate === undefined ? {} : { learningRate: opts.learningRate }),
          ...(phase.tisCap === undefined ? {} : { tisCap: phase.tisCap }),
        },
        {}, // not cut short by Ctrl-C: the server may already have applied it (see PhaseContext.signal)
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
    learning_rate: train$?.learningRate ?? opts.learningRate ?? null,
    'logprob/mismatch_mean': train$?.logprobMismatch ?? null,
    'logprob/mismatch_max': train$?.logprobMismatchMax ?? null,
    ...(phase.tisCap === undefined ? {} : { 'logprob/tis_weight_mean': train$?.tisWeightMean ?? null }),
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

/** The GRPO phase: eval before, `steps` steps with evals every `eval.every`, eval after. */
export const grpoPhase = definePhase<GrpoPhaseConfig>({
  type: 'grpo',
  description: 'GRPO / Dr.GRPO / RLOO: G completions per prompt, scored by the rewards, one clipped policy-gradient step per rollout',
  optionsSchema: {
    type: 'object',
    required: ['steps'],
    properties: {
      estimator: { enum: ['grpo', 'dr_grpo', 'rloo'], default: 'grpo' },
      scale: { enum: ['group', 'batch', 'none'], default: 'group', description: 'grpo: std of the group, of the batch, or none' },
      steps: int(1, 'optimizer steps'),
      promptsPerStep: int(1, 'B/G: prompts per step', 16),
      groupSize: int(2, 'G: completions per prompt', 8),
      sampling: samplingSchema,
      lossType: { enum: ['grpo', 'bnpo', 'dr_grpo', 'dapo'], description: "defaults to 'dr_grpo' with the dr_grpo estimator, else 'grpo'" },
      clip: {
        type: 'object',
        additionalProperties: false,
        default: {},
        properties: { low: { type: 'number', minimum: 0, default: 0.2 }, high: { type: 'number', minimum: 0, default: 0.2 } },
      },
      beta: { type: 'number', minimum: 0, default: 0, description: 'k3 KL weight' },
      maxCompletionLength: int(1, "dr_grpo's normaliser; defaults to sampling.maxTokens"),
      ...scheduleProperties('constant', "peak learning rate; absent: the server's own rate (server.start.lr)"),
      microBatchSize: int(1, 'completions per forward/backward pass', 8),
      microBatchTokens: int(1, "token budget of a micro-batch (rows x longest sequence); default: the server's (hf 16384)"),
      tisCap: { type: 'number', exclusiveMinimum: 0, description: 'truncated importance sampling against the rollout/train mismatch: the policy term of each token is weighted by min(exp(log p_train - log p_sampler), tisCap) (TRL token_truncate); absent: off' },
      chatTemplateKwargs: { type: 'object', description: "chat-template options of this phase's generate requests, over dataset.chatTemplateKwargs" },
      dropZeroVarianceGroups: { type: 'boolean', default: false },
    },
  },
  usesReference: (phase) => phase.beta > 0,
  resolve(options, ctx) {
    if (options.estimator !== 'grpo' && options.scale !== 'group') ctx.problem('scale', `only the grpo estimator divides by a std (got "${options.scale}" with "${options.estimator}")`);
    for (const [field, problem] of scheduleProblems(options, options.steps)) ctx.problem(field, problem);
    const config = { ...options, lossType: options.lossType ?? (options.estimator === 'dr_grpo' ? 'dr_grpo' : 'grpo') };
    return { config, data: () => undefined };
  },
  async run(ctx, phase) {
    const engine = await ctx.rewards();
    const every = ctx.config.eval?.every ?? 0;
    if (ctx.startStep === 0) await ctx.evaluate(0);
    for (let step = ctx.startStep + 1; step <= phase.steps; step++) {
      if (ctx.signal.aborted) return;
      const globalStep = ctx.globalStepOffset + step;
      const result = await grpoStep(ctx.client, engine, ctx.data.train, phase, {
        seed: stepSeed(ctx.config.seed, ctx.phaseIndex, step),
        step: globalStep,
        learningRate: learningRateAt(phase, step, phase.steps),
        dedupe: ctx.config.scoring.dedupe,
        signal: ctx.signal,
        chatTemplateKwargs: { ...ctx.config.dataset.chatTemplateKwargs, ...phase.chatTemplateKwargs },
      });
      if (result.infraErrors.length) ctx.logger.warn(`step ${globalStep}: ${result.metrics['reward/status/infra_error']} completion(s) had sandbox infrastructure errors (excluded, not scored 0): ${result.infraErrors.slice(0, 3).join('; ')}`);
      ctx.logSamples(result.samples);
      ctx.logMetrics(step, result.metrics);
      if ((every > 0 && step % every === 0) || step === phase.steps) await ctx.evaluate(step);
      await ctx.endStep(step);
      ctx.progress({ step, total: phase.steps, metrics: { reward: result.metrics['reward/mean'] as number | null, loss: result.metrics.loss as number | null } });
    }
  },
});
