// The `{ type: 'grpo' }` phase: GRPO / Dr.GRPO / RLOO steps (generate G per prompt, score, advantages, policy step), evals every k.
import type { LossType, PolicyClient, SamplingParams } from '@molrl/policy-client';
import type { AdvantageEstimator } from '../advantages/compute-advantages.ts';
import { overlongPenalty, type OverlongShaping } from '../advantages/overlong-penalty.ts';
import { int, samplingSchema } from '../config/schema-fragments.ts';
import type { DatasetRow } from '../dataset/load-dataset.ts';
import type { RewardEngine } from '../types.ts';
import { definePhase, type PhaseConfigBase } from './define-phase.ts';
import { regeneratedAdvantages } from './feedback-advantages.ts';
import { feedbackMetrics, feedbackSamples, reattachRows, regenerateWithFeedback, type FeedbackRegeneration } from './feedback-regeneration.ts';
import type { ScoredCompletion } from './generate-and-score.ts';
import { grpoAdvantages, type RewardAggregation } from './grpo-advantages.ts';
import { generateRounds } from './grpo-rounds.ts';
import { learningRateAt, scheduleProblems, scheduleProperties, type LearningRateSchedule } from './learning-rate-schedule.ts';
import type { MetricsRecord } from './phase-context.ts';
import { infraErrorReasons, rewardMetrics } from './reward-metrics.ts';
import { sampleRecord } from './sample-record.ts';
import { stepSeed } from './seeded-random.ts';

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
  /** mu: optimizer passes over each rollout (TRL num_iterations, verl ppo_epochs). @default 1 */
  updatesPerBatch: number;
  /** Optimizer steps per pass (TRL steps_per_generation, verl train batch / ppo_mini_batch_size). @default 1 */
  miniBatches: number;
  /** Completions cut at maxTokens are left out of the loss (TRL mask_truncated_completions). @default false */
  maskTruncated: boolean;
  /** DAPO's soft overlong punishment (verl reward_model.overlong_buffer). */
  overlong?: OverlongShaping;
  /** DAPO's dynamic sampling (verl algorithm.filter_groups): drop groups whose rewards all agree and generate more. */
  dynamicSampling?: { maxGenerationRounds: number };
  /** How several reward plugins make one advantage (TRL multi_objective_aggregation). @default 'sum_then_normalize' */
  rewardAggregation: RewardAggregation;
  /** Feedback-guided regeneration: failing completions are generated again with their sandbox feedback appended to the prompt. */
  feedbackRegeneration?: FeedbackRegeneration;
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
  const { rollouts, keep } = await generateRounds(client, engine, train, phase, opts);
  const groups = rollouts.flatMap((r) => r.groups);
  const maxTokens = phase.sampling.maxTokens ?? 256;
  const adv = grpoAdvantages(
    groups.map((g) => g.map((c) => ({ score: c.scored.score, status: c.scored.status, rewards: c.scored.rewards, tokenCount: c.completion.tokenCount, finishReason: c.completion.finishReason }))),
    {
      estimator: phase.estimator,
      scale: phase.scale,
      rewardAggregation: phase.rewardAggregation ?? 'sum_then_normalize',
      plugins: engine.plugins,
      overlong: phase.overlong,
      maxTokens,
      maskTruncated: phase.maskTruncated ?? false,
      dropZeroVarianceGroups: phase.dropZeroVarianceGroups,
      ...(keep ? { keep } : {}),
    },
  );
  const advantages = adv.advantages;
  const zeroVariance = adv.zeroVariance;
  const tf = performance.now();
  const fbOption = phase.feedbackRegeneration;
  const fb = fbOption
    ? await regenerateWithFeedback(client, engine, groups, advantages.map((a) => a.some((x) => x !== null)), fbOption, { ...opts, sampling: phase.sampling })
    : { rollouts: [], regenerated: [], tooLong: 0 };
  const shaped = (c: ScoredCompletion) => (c.scored.score === null ? null : c.scored.score + (phase.overlong ? overlongPenalty(c.completion.tokenCount, maxTokens, phase.overlong) : 0));
  const fbAdvantages = fb.regenerated.map((round) =>
    regeneratedAdvantages(
      groups.map((g) => g.map(shaped)),
      round.map((r) => ({ group: r.group, score: shaped(r.sample), status: r.sample.scored.status, finishReason: r.sample.completion.finishReason })),
      { estimator: phase.estimator, scale: phase.scale, maskTruncated: phase.maskTruncated ?? false },
    ),
  );
  const t1 = performance.now();
  let offset = 0; // canonical order per rollout: prompt by prompt, index 0..G-1
  const parts = [
    ...rollouts.map((r) => {
      const part = { rolloutId: r.rolloutId, advantages: advantages.slice(offset, offset + r.groups.length).flat() };
      offset += r.groups.length;
      return part;
    }),
    ...fb.rollouts.map((r, k) => ({
      rolloutId: r.rolloutId,
      advantages: fbAdvantages[k],
      ...(fbOption?.mode === 'importance' ? { reattach: { rows: reattachRows(rollouts, fb.regenerated[k]), weightCap: fbOption.weightCap } } : {}),
    })),
  ];
  const trained = [...advantages.flat(), ...fbAdvantages.flat()].some((a) => a !== null && a !== 0);
  const [first, ...more] = parts;
  const train$ = trained
    ? await client.trainPolicy(
        {
          rolloutId: first.rolloutId,
          advantages: first.advantages,
          ...(more.length ? { moreRollouts: more } : {}),
          lossType: phase.lossType ?? 'grpo',
          clip: phase.clip,
          beta: phase.beta,
          maxCompletionLength: phase.maxCompletionLength ?? maxTokens,
          microBatchSize: phase.microBatchSize,
          ...(phase.microBatchTokens === undefined ? {} : { microBatchTokens: phase.microBatchTokens }),
          ...(opts.learningRate === undefined ? {} : { learningRate: opts.learningRate }),
          ...((phase.updatesPerBatch ?? 1) === 1 ? {} : { updatesPerBatch: phase.updatesPerBatch }),
          ...((phase.miniBatches ?? 1) === 1 ? {} : { miniBatches: phase.miniBatches }),
          ...(phase.tisCap === undefined ? {} : { tisCap: phase.tisCap }),
        },
        {}, // not cut short by Ctrl-C: the server may already have applied it (see PhaseContext.signal)
      )
    : null;
  const t2 = performance.now();
  const all = groups.flat();
  const timing = (k: 'generateMs' | 'scoreExposedMs' | 'scoreSpanMs') => rollouts.reduce((a, r) => a + r.timing[k], 0);
  const scoredSamples = all.map((c) => c.scored);
  const lengths = all.map((c) => c.completion.tokenCount);
  const metrics: MetricsRecord = {
    ...rewardMetrics(scoredSamples),
    loss: train$?.loss ?? null,
    kl: train$?.kl ?? null,
    clip_fraction: train$?.clipFraction ?? null,
    'clip_fraction/low': train$?.clipFractionLow ?? null,
    'clip_fraction/high': train$?.clipFractionHigh ?? null,
    approx_kl: train$?.approxKl ?? null,
    updates: train$?.updates ?? 0,
    grad_norm: train$?.gradNorm ?? null,
    entropy: train$?.entropy ?? null,
    learning_rate: train$?.learningRate ?? opts.learningRate ?? null,
    'logprob/mismatch_mean': train$?.logprobMismatch ?? null,
    'logprob/mismatch_max': train$?.logprobMismatchMax ?? null,
    ...(phase.tisCap === undefined ? {} : { 'logprob/tis_weight_mean': train$?.tisWeightMean ?? null }),
    'completion/length_mean': lengths.reduce((a, b) => a + b, 0) / Math.max(1, lengths.length),
    'completion/length_max': Math.max(0, ...lengths),
    'completion/clipped_ratio': all.filter((c) => c.completion.finishReason === 'length').length / Math.max(1, all.length),
    'completion/tokens': lengths.reduce((a, b) => a + b, 0),
    'completion/masked_truncated': adv.maskedTruncated,
    'throughput/generate_tokens_per_s': timing('generateMs') > 0 ? lengths.reduce((a, b) => a + b, 0) / (timing('generateMs') / 1000) : null,
    'groups/zero_variance': zeroVariance,
    'groups/zero_std_ratio': zeroVariance / Math.max(1, groups.length),
    'groups/dropped': keep ? keep.filter((k) => !k).length : 0,
    'groups/generation_rounds': rollouts.length,
    'overlong/penalty_mean': adv.overlongPenaltyMean,
    'time/generate': timing('generateMs') / 1000,
    'time/score': timing('scoreExposedMs') / 1000,
    'time/score_span': timing('scoreSpanMs') / 1000,
    'score/hidden_fraction': rollouts[0].timing.scoreHiddenFraction,
    'time/train': (t2 - t1) / 1000,
    'time/server_train': train$?.durationMs === undefined ? null : train$.durationMs / 1000,
    'time/step': (t2 - t0) / 1000,
    ...(fbOption ? { ...feedbackMetrics(fb, fbOption.passScore), 'time/feedback': (t1 - tf) / 1000 } : {}),
    ...(fbOption?.mode === 'importance' ? { 'feedback/importance_weight_mean': train$?.importanceWeightMean ?? null } : {}),
  };
  const samples = groups.flatMap((g, p) => g.map((c, i) => sampleRecord(c, opts.step, i, advantages[p][i])));
  samples.push(...feedbackSamples(fb, fbAdvantages, opts.step));
  return { metrics, samples, infraErrors: infraErrorReasons([...scoredSamples, ...fb.regenerated.flat().map((r) => r.sample.scored)]) };
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
      lossType: {
        enum: ['grpo', 'bnpo', 'dr_grpo', 'dapo', 'gspo', 'cispo'],
        description:
          "loss aggregation / variant (TRL loss_type, verl loss_agg_mode / policy_loss.loss_mode): grpo, bnpo, dr_grpo, dapo; gspo: sequence-level importance ratio (TRL importance_sampling_level='sequence', verl loss_mode 'gspo'); cispo: clipped IS weight, gradient through every token (TRL loss_type 'cispo'; clip.high caps the weight at 1 + high). Defaults to 'dr_grpo' with the dr_grpo estimator, else 'grpo'",
      },
      updatesPerBatch: { type: 'integer', minimum: 1, maximum: 64, default: 1, description: 'mu: optimizer passes over each rollout, ratios against the rollout\'s pi_old kept by the server (TRL num_iterations, verl ppo_epochs); 1 = one on-policy step' },
      miniBatches: { type: 'integer', minimum: 1, maximum: 1024, default: 1, description: 'optimizer steps per pass: the rollout split in order into this many mini-batches (TRL steps_per_generation, verl train_batch_size / ppo_mini_batch_size)' },
      maskTruncated: { type: 'boolean', default: false, description: 'completions cut at sampling.maxTokens are left out of the loss (TRL mask_truncated_completions)' },
      overlong: {
        type: 'object',
        additionalProperties: false,
        required: ['buffer'],
        description: "DAPO soft overlong punishment: reward - penalty x (|y| - (maxTokens - buffer)) / buffer over the last buffer tokens (verl reward_model.overlong_buffer.{len, penalty_factor}; TRL get_soft_overlong_punishment)",
        properties: { buffer: int(1, 'L_cache: tokens before sampling.maxTokens where the penalty ramps up'), penalty: { type: 'number', minimum: 0, default: 1, description: 'penalty at maxTokens (verl penalty_factor)' } },
      },
      dynamicSampling: {
        type: 'object',
        additionalProperties: false,
        description: 'DAPO dynamic sampling: groups whose rewards all agree are dropped and more prompts generated until promptsPerStep informative groups (verl algorithm.filter_groups; max_num_gen_batches)',
        properties: { maxGenerationRounds: int(1, 'generation rounds per step at most (verl max_num_gen_batches)', 3) },
      },
      rewardAggregation: {
        enum: ['sum_then_normalize', 'normalize_then_sum'],
        default: 'sum_then_normalize',
        description: "several reward plugins (TRL multi_objective_aggregation): weighted sum then the estimator, or each plugin's group advantage first, weighted sum, then (grpo) a batch z-score (GDPO)",
      },
      feedbackRegeneration: {
        type: 'object',
        additionalProperties: false,
        description:
          "feedback-guided regeneration (not in TRL or verl): after scoring, a share of each group's failing completions (score below passScore, with feedback) get their sandbox feedback appended to the prompt as MoL's Observation turn (x + y + 'Observation: ...') and a corrected completion is generated and scored; advantage (r' - mean of the original group) / the group's grpo std, trained in the same step (moreRollouts) as samples of the extended prompt ('extended') or, importance-weighted, of the original prompt ('importance'); metrics feedback/regenerated, feedback/success_rate, feedback/reward_mean",
        properties: {
          rounds: int(1, 'regeneration rounds: round r > 1 extends the chains still failing by their new feedback', 1),
          share: { type: 'number', exclusiveMinimum: 0, maximum: 1, default: 1, description: "share of each group's failing completions regenerated (the first ceil(share x failing) by index)" },
          mode: {
            enum: ['extended', 'importance'],
            default: 'extended',
            description:
              "'extended': trained as extra on-policy samples of the extended prompt (the ablation); 'importance': trained under the original prompt x, the advantage times the detached sequence weight min(pi_theta(y'|x) / pi_behav(y'|x + o), weightCap), so the gradient is for the original prompt distribution",
          },
          weightCap: { type: 'number', exclusiveMinimum: 0, default: 1, description: "'importance': upper bound of the importance weight" },
          passScore: { type: 'number', default: 1, description: 'a completion passes at score >= passScore; failing ones below it with feedback text are regenerated' },
        },
      },
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
    const maxTokens = options.sampling.maxTokens ?? 256;
    if (options.overlong && options.overlong.buffer >= maxTokens) ctx.problem('overlong.buffer', `the overlong buffer (${options.overlong.buffer}) must be shorter than sampling.maxTokens (${maxTokens}): lower it, e.g. to ${Math.max(1, Math.floor(maxTokens / 4))}`);
    const rows = options.promptsPerStep * options.groupSize;
    if (options.miniBatches > rows) ctx.problem('miniBatches', `${options.miniBatches} mini-batches of a ${rows}-completion rollout (promptsPerStep x groupSize): use at most ${rows}`);
    if (options.tisCap !== undefined && (options.updatesPerBatch > 1 || options.miniBatches > 1)) ctx.problem('tisCap', `truncated importance sampling is implemented for one update per rollout only (got updatesPerBatch ${options.updatesPerBatch}, miniBatches ${options.miniBatches}): drop tisCap or use 1 and 1`);
    if (options.dynamicSampling && options.dropZeroVarianceGroups) ctx.problem('dropZeroVarianceGroups', 'dynamicSampling already drops groups whose rewards all agree: remove dropZeroVarianceGroups');
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
