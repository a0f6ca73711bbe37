// The `{ type: 'mol' }` phase of a job config: MoL continual training on agent traces (MoL-RL stage 1).
import type { ModelType, MolVariant } from '../traces/trace-types.ts';

const int = (minimum: number, description: string, fallback?: number) => ({ type: 'integer', minimum, description, ...(fallback === undefined ? {} : { default: fallback }) });

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
export interface MolPhaseConfig {
  type: 'mol';
  name?: string;
  /** The paper's loss variants. @default 'mol' */
  variant: MolVariant;
  /** Optimizer steps (set from `epochs` when the config gave epochs). */
  steps: number;
  /** Passes over the training traces; resolved to steps = ceil(epochs x traces / batchSize) at load time. */
  epochs?: number;
  /** Traces per optimizer step. @default 8 */
  batchSize: number;
  learningRate: number;
  /** @default 'constant' */
  schedule: 'cosine' | 'constant';
  /** @default 0 */
  warmupSteps: number;
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
  checkpointEvery?: number;
}

/** Defaults of the optional MoL phase fields (also written into the schema). */
export const MOL_PHASE_DEFAULTS = {
  variant: 'mol',
  batchSize: 8,
  schedule: 'constant',
  warmupSteps: 0,
  maxTokens: 8192,
  bytesPerToken: 1,
  microBatchSize: 8,
  truncate: 'turn',
  validation: { fraction: 0.1, every: 10 },
} as const;

/** JSON Schema (draft-07, ajv strict) of a `{ type: 'mol' }` phase. */
export const molPhaseSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['type', 'dataset', 'learningRate', 'modelType'],
  // exactly one of steps | epochs: checked by resolveMolPhase (ajv strictRequired rejects it in anyOf/not)
  properties: {
    type: { const: 'mol' },
    name: { type: 'string' },
    variant: { enum: ['mol', 'ce', 'ce_nokl', 'ce_eetb'], default: MOL_PHASE_DEFAULTS.variant, description: 'mol: CE on feedback + KL(p_theta || p_0) on decisions; ce: CE on both; ce_nokl: CE on feedback only; ce_eetb: CE except the empty think blocks' },
    steps: int(1, 'optimizer steps (or give epochs)'),
    epochs: { type: 'number', exclusiveMinimum: 0, description: 'passes over the training traces; resolved to steps when the config is loaded' },
    batchSize: int(1, 'traces per optimizer step', MOL_PHASE_DEFAULTS.batchSize),
    learningRate: { type: 'number', exclusiveMinimum: 0, maximum: 1, description: 'peak learning rate, in (0, 1] (as the policy protocol)' },
    schedule: { enum: ['cosine', 'constant'], default: MOL_PHASE_DEFAULTS.schedule },
    warmupSteps: int(0, 'linear warm-up steps', MOL_PHASE_DEFAULTS.warmupSteps),
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
    checkpointEvery: int(1, 'checkpoint every k steps of this phase'),
  },
};
