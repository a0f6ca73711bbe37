// The `{ type: 'mol' }` phase (MoL-RL stage 1): CE on environment-feedback tokens, KL(p_theta || p_0) on the model's decisions.
import { describeError } from '@molrl/common';
import type { MolSegment, PolicyClient, TrainMolRequest } from '@molrl/policy-client';
import { int } from '../config/schema-fragments.ts';
import { serverMode } from '../traces/tag-segments.ts';
import type { ModelType, MolVariant, PreparedTrace } from '../traces/trace-types.ts';
import { definePhase, once, type PhaseConfigBase } from '../trainer/define-phase.ts';
import { learningRateAt, scheduleProblems, scheduleProperties, type LearningRateSchedule } from '../trainer/learning-rate-schedule.ts';
import { batchAt, loadMolData, stepsForEpochs, type MolData } from './mol-data.ts';

/** Validation split of a MoL phase: a separate trace file or a held-out share of the training traces. */
export interface MolValidationConfig {
  /** JSONL traces, relative to the config file. */
  data?: string;
  /** Share of the training traces held out (seeded) when `data` is absent. @default 0.1 */
  fraction: number;
  /** Validation loss every k steps (and after the last step). @default 10 */
  every: number;
}

/** A MoL phase after validation and defaults (`epochs` is resolved to `steps` when the config is loaded). */
export interface MolPhaseConfig extends PhaseConfigBase, LearningRateSchedule {
  type: 'mol';
  /** The paper's loss variants. @default 'mol' */
  variant: MolVariant;
  /** Passes over the training traces; resolved to steps = ceil(epochs x traces / batchSize) at load time. */
  epochs?: number;
  /** Traces per optimizer step. @default 8 */
  batchSize: number;
  learningRate: number;
  /** Token budget per trace (the paper: 8192). @default 8192 */
  maxTokens: number;
  /** UTF-8 bytes per token used to count the budget (1 = exact for the tiny byte model; ~4 for BPE models). @default 1 */
  bytesPerToken: number;
  /** JSONL agent traces, relative to the config file. */
  dataset: string;
  validation?: MolValidationConfig;
  /** Traces per forward/backward pass. @default 8 */
  microBatchSize: number;
  /** cot: clear <think> contents; non-cot: insert an empty think block per assistant turn. */
  modelType: ModelType;
  /** Over budget: cut at a turn boundary, or drop the trace. @default 'turn' */
  truncate: 'turn' | 'drop';
}

/** Defaults of the optional MoL phase fields (also written into the schema). */
export const MOL_PHASE_DEFAULTS = {
  variant: 'mol',
  batchSize: 8,
  schedule: 'constant',
  maxTokens: 8192,
  bytesPerToken: 1,
  microBatchSize: 8,
  truncate: 'turn',
  validation: { fraction: 0.1, every: 10 },
} as const;

/** The /v1/train/mol example of a prepared trace (segments as tagged by the variant). */
export function molExample(trace: PreparedTrace): { segments: MolSegment[] } {
  return { segments: trace.segments.map((s) => ({ role: s.role, text: s.text, loss: s.loss, ...(s.continues ? { continues: true } : {}) })) };
}

/** Token-weighted validation loss over `traces` (forward only: `evalOnly`, no optimizer step). */
export async function molValidationLoss(
  client: PolicyClient,
  traces: readonly PreparedTrace[],
  phase: Pick<MolPhaseConfig, 'variant' | 'batchSize' | 'microBatchSize'>,
  signal?: AbortSignal,
): Promise<{ loss: number; ce: number; kl: number; ceTokens: number; klTokens: number }> {
  let ce = 0;
  let kl = 0;
  let ceTokens = 0;
  let klTokens = 0;
  for (let i = 0; i < traces.length; i += phase.batchSize) {
    const req: TrainMolRequest = { examples: traces.slice(i, i + phase.batchSize).map(molExample), mode: serverMode(phase.variant), microBatchSize: phase.microBatchSize, evalOnly: true };
    const r = await client.trainMol(req, signal ? { signal } : {});
    ce += r.ce * r.ceTokens; // the server reports means: weight them back by their token counts
    kl += r.kl * r.klTokens;
    ceTokens += r.ceTokens;
    klTokens += r.klTokens;
  }
  const ceMean = ce / Math.max(1, ceTokens);
  const klMean = kl / Math.max(1, klTokens);
  return { loss: ceMean + klMean, ce: ceMean, kl: klMean, ceTokens, klTokens };
}

/**
 * The MoL phase: each step sends `batchSize` traces (seeded epoch order, repeated exactly on resume) to
 * /v1/train/mol, logs loss, ce, kl, ce_tokens, kl_tokens, and the validation loss every `validation.every`
 * steps and after the last. The next phase continues from the weights this leaves on the server.
 */
export const molPhase = definePhase<MolPhaseConfig, MolData>({
  type: 'mol',
  description: 'MoL continual training on agent traces: CE on environment feedback, KL to the reference on the model’s own turns',
  optionsSchema: {
    type: 'object',
    // exactly one of steps | epochs: checked by resolve (ajv strictRequired rejects it in anyOf/not)
    required: ['dataset', 'learningRate', 'modelType'],
    properties: {
      variant: { enum: ['mol', 'ce', 'ce_nokl', 'ce_eetb'], default: MOL_PHASE_DEFAULTS.variant, description: 'mol: CE on feedback + KL(p_theta || p_0) on decisions; ce: CE on both; ce_nokl: CE on feedback only; ce_eetb: CE except the empty think blocks' },
      steps: int(1, 'optimizer steps (or give epochs)'),
      epochs: { type: 'number', exclusiveMinimum: 0, description: 'passes over the training traces; resolved to steps when the config is loaded' },
      batchSize: int(1, 'traces per optimizer step', MOL_PHASE_DEFAULTS.batchSize),
      ...scheduleProperties(MOL_PHASE_DEFAULTS.schedule),
      maxTokens: int(1, 'token budget per trace (the paper: 8192)', MOL_PHASE_DEFAULTS.maxTokens),
      bytesPerToken: { type: 'number', exclusiveMinimum: 0, default: MOL_PHASE_DEFAULTS.bytesPerToken, description: 'UTF-8 bytes per token for the budget: 1 for the tiny byte model, ~4 for BPE tokenizers' },
      dataset: { type: 'string', minLength: 1, description: 'JSONL agent traces { id, messages }, relative to the config file' },
      validation: {
        type: 'object',
        additionalProperties: false,
        properties: {
          data: { type: 'string', minLength: 1, description: 'JSONL traces for the validation loss, relative to the config file' },
          fraction: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1, default: MOL_PHASE_DEFAULTS.validation.fraction, description: 'share of the training traces held out when data is absent' },
          every: int(1, 'validation loss every k steps (and after the last)', MOL_PHASE_DEFAULTS.validation.every),
        },
      },
      microBatchSize: int(1, 'traces per forward/backward pass', MOL_PHASE_DEFAULTS.microBatchSize),
      modelType: { enum: ['cot', 'non-cot'], description: 'cot: clear <think> contents; non-cot: insert an empty <think> block per assistant turn' },
      truncate: { enum: ['turn', 'drop'], default: MOL_PHASE_DEFAULTS.truncate, description: 'traces over maxTokens: cut at a turn boundary, or drop' },
    },
  },
  usesReference: (phase) => phase.variant === 'mol',
  /**
   * Paths made absolute; with `epochs`, reads the traces (same preprocessing and split as training) and
   * replaces `epochs` by `steps = ceil(epochs x training traces / batchSize)`, so the frozen run config
   * states its step count. The traces read here are the ones the phase trains on: they are not read again.
   */
  resolve(options, ctx) {
    if ((options.epochs === undefined) === (options.steps === undefined)) {
      ctx.problem('steps', `give exactly one of "steps" or "epochs" (got ${options.epochs === undefined ? 'neither' : `steps ${options.steps} and epochs ${options.epochs}`})`);
    }
    const config: MolPhaseConfig = { ...options, dataset: ctx.file(options.dataset, 'dataset') };
    if (options.validation) config.validation = { ...options.validation, ...(options.validation.data ? { data: ctx.file(options.validation.data, 'validation.data') } : {}) };
    const data = once(() => loadMolData(config, ctx.seed, `${ctx.path}.dataset`));
    if (options.epochs !== undefined && options.steps === undefined) {
      try {
        config.steps = stepsForEpochs(options.epochs, data().train.length, options.batchSize);
        delete config.epochs;
      } catch (error) {
        ctx.problem('dataset', `cannot count the training traces for "epochs": ${describeError(error)}`);
      }
    }
    if (config.steps !== undefined) for (const [field, problem] of scheduleProblems(config, config.steps)) ctx.problem(field, problem);
    return { config, data };
  },
  async run(ctx, phase, data) {
    const s = data.summary;
    if (ctx.startStep === 0) {
      ctx.logger.info(`mol: ${data.train.length} training traces, ${data.validation.length} validation; ${s.dropped} dropped, ${s.truncated} truncated, ${s.bad.length} bad lines; ${s.tokens.ce} ce / ${s.tokens.kl} kl tokens (variant ${phase.variant})`);
      for (const b of s.bad.slice(0, 10)) ctx.logger.warn(`${phase.dataset}:${b.line}: ${b.error}`);
    }
    const mode = serverMode(phase.variant);
    for (let step = ctx.startStep + 1; step <= phase.steps; step++) {
      if (ctx.signal.aborted) return;
      const batch = batchAt(data.train, phase.batchSize, step, ctx.config.seed, ctx.phaseIndex);
      const lr = learningRateAt(phase, step, phase.steps);
      const t0 = performance.now();
      const r = await ctx.client.trainMol({ examples: batch.map(molExample), mode, microBatchSize: phase.microBatchSize, learningRate: lr }); // runs to endStep once sent
      const record: Record<string, number | null> = {
        loss: r.loss, // = ce + kl in mode 'mol' (1:1), ce otherwise
        ce: r.ce,
        kl: r.kl,
        ce_tokens: r.ceTokens,
        kl_tokens: r.klTokens,
        learning_rate: r.learningRate ?? lr ?? null,
        grad_norm: r.gradNorm ?? null,
        'time/train': (performance.now() - t0) / 1000,
      };
      const every = phase.validation?.every ?? 0;
      if (data.validation.length && (step === phase.steps || (every > 0 && step % every === 0))) {
        const v = await molValidationLoss(ctx.client, data.validation, phase); // part of the step: finishes on Ctrl-C
        Object.assign(record, { 'val/loss': v.loss, 'val/ce': v.ce, 'val/kl': v.kl });
      }
      ctx.logMetrics(step, record);
      ctx.progress({ step, total: phase.steps, metrics: { loss: r.loss, ce: r.ce, kl: r.kl } });
      await ctx.endStep(step);
    }
  },
});
