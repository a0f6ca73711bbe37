// JSON Schema of the job config (published as packages/core/schemas/job-config.json; a test keeps it in sync).
import { protocolSchemas } from '@molrl/policy-client';
import { sandboxConfigSchema } from '@molrl/sandbox';
import { molPhaseSchema } from '../mol/mol-phase-schema.ts';
import { rewardsConfigSchema } from '../rewards/rewards-config-schema.ts';
import { loggingConfigSchema } from '../trackers/logging-config.ts';

const { $id: _s, ...sandboxSchema } = sandboxConfigSchema;
const { $id: _r, ...rewardsSchema } = rewardsConfigSchema;

const int = (minimum: number, description: string, fallback?: number) => ({ type: 'integer', minimum, description, ...(fallback === undefined ? {} : { default: fallback }) });

/** `schema` without its `default`s (deep): a job config leaves unset what the server fills in. */
function withoutDefaults(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withoutDefaults);
  if (!schema || typeof schema !== 'object') return schema;
  return Object.fromEntries(Object.entries(schema).filter(([k]) => k !== 'default').map(([k, v]) => [k, withoutDefaults(v)]));
}

/**
 * Sampling parameters of /v1/generate: the policy protocol's own schema (generate-request.json), so that a
 * config accepts exactly what the server accepts.
 */
export const samplingSchema = {
  ...(withoutDefaults((protocolSchemas()['generate-request'] as { properties: { sampling: object } }).properties.sampling) as object),
  default: {},
};

/** A `{ type: 'grpo' }` phase. */
export const grpoPhaseSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['type', 'steps'],
  properties: {
    type: { const: 'grpo' },
    name: { type: 'string' },
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
    learningRate: { type: 'number', exclusiveMinimum: 0, maximum: 1, description: 'learning rate from this phase on, in (0, 1] (as the policy protocol)' },
    microBatchSize: int(1, 'completions per forward/backward pass', 8),
    microBatchTokens: int(1, "token budget of a micro-batch (rows x longest sequence); default: the server's (hf 16384)"),
    chatTemplateKwargs: { type: 'object', description: "chat-template options of this phase's generate requests, over dataset.chatTemplateKwargs" },
    dropZeroVarianceGroups: { type: 'boolean', default: false },
    checkpointEvery: int(1, 'checkpoint every k steps of this phase'),
  },
};

/** A `{ type: 'sft' }` phase: demonstrations `{ prompt, completion }`, all completion tokens CE. */
export const sftPhaseSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['type', 'data', 'steps', 'learningRate'],
  properties: {
    type: { const: 'sft' },
    name: { type: 'string' },
    data: { type: 'string', minLength: 1, description: 'JSONL of { prompt, completion }, relative to the config file' },
    steps: int(1, 'optimizer steps'),
    batchSize: int(1, 'demonstrations per step', 32),
    learningRate: { type: 'number', exclusiveMinimum: 0, maximum: 1, description: 'peak learning rate, in (0, 1] (as the policy protocol)' },
    schedule: { enum: ['cosine', 'constant'], default: 'cosine' },
    warmupSteps: int(0, 'linear warm-up steps', 0),
    microBatchSize: int(1, 'examples per forward/backward pass', 32),
    logEvery: int(1, 'metrics line every k steps', 10),
    checkpointEvery: int(1, 'checkpoint every k steps of this phase'),
  },
};

/** Schema per phase type. The MoL phase (issue 7) plugs in here: `mol: molPhaseSchema` from ../mol/mol-phase-schema.ts. */
export const phaseSchemas: Record<string, object> = { grpo: grpoPhaseSchema, mol: molPhaseSchema, sft: sftPhaseSchema };

/** The job config's JSON Schema (draft-07, ajv strict). */
export const jobConfigSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://molrl.dev/schemas/job-config.json',
  title: 'molrl job config',
  type: 'object',
  additionalProperties: false,
  required: ['model', 'server', 'dataset', 'rewards', 'phases'],
  properties: {
    $schema: { type: 'string' },
    name: { type: 'string', pattern: '^[A-Za-z0-9._-]+$', description: 'run name: runs/<name>/' },
    runsDir: { type: 'string', default: 'runs', description: 'where run directories go, relative to the config file' },
    model: { type: 'string', minLength: 1, description: "'tiny', 'hf:<id or path>' or 'hf-random:<config>'" },
    modelConfig: { type: 'object', description: 'model config passed to the server (tiny: n_layer, n_head, d_model, context)' },
    server: {
      type: 'object',
      additionalProperties: false,
      description: 'start a policy server ({ start: {...} }) or use a running one ({ url, token? })',
      properties: {
        start: {
          type: 'object',
          additionalProperties: false,
          properties: {
            seed: int(0, 'server RNG seed; defaults to the job seed'),
            threads: int(1, 'torch CPU threads'),
            device: { type: 'string', description: "'cpu', 'cuda' or 'cuda:N'" },
            loraR: int(0, 'LoRA rank for hf models; 0 = full fine-tune'),
            lr: { type: 'number', exclusiveMinimum: 0, maximum: 1, description: 'initial learning rate of the server optimizer, in (0, 1]' },
            dtype: { enum: ['auto', 'float32', 'bfloat16', 'float16'], description: 'hf models: auto = bf16 on CUDA, fp32 on CPU; full fine-tuning keeps fp32 master weights (autocast)' },
            attnImplementation: { enum: ['eager', 'sdpa', 'flash_attention_2'], description: "hf models: attention kernel (default: transformers' choice)" },
            gradientCheckpointing: { type: 'boolean', description: 'hf models: recompute activations in the backward pass (server default true)' },
            microBatchTokens: int(1, 'default token budget of a train micro-batch (rows x longest sequence; server default hf 16384)'),
            kvCacheGb: { type: 'number', exclusiveMinimum: 0, description: 'KV-cache budget of one generation batch in GiB (server default: CUDA 40% of free memory, CPU 4)' },
            extraArgs: { type: 'array', items: { type: 'string' } },
            python: { type: 'string', minLength: 1, description: "Python that runs the server (needs torch; transformers and peft for hf: models); default $MOLRL_PYTHON, else the checkout's .venv" },
          },
        },
        url: { type: 'string', pattern: '^https?://' },
        token: { type: 'string' },
        timeoutMs: int(1, 'longest wait for one answer of the server (a generation, a training step) before the run stops with TRAIN_SERVER_UNRESPONSIVE', 600000),
      },
    },
    dataset: {
      type: 'object',
      additionalProperties: false,
      required: ['train'],
      properties: {
        train: { type: 'string', minLength: 1, description: 'JSONL of { id, messages | prompt, groundTruth, metadata }' },
        eval: { type: 'string', minLength: 1 },
        evalFraction: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1, default: 0.1, description: 'share of train held out when eval is absent' },
        chatTemplateKwargs: { type: 'object', description: "options of the chat template (e.g. Qwen3's { enable_thinking: false }); a dataset row's own chatTemplateKwargs win" },
      },
    },
    rewards: rewardsSchema,
    sandbox: { ...sandboxSchema, default: {} },
    scoring: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        concurrency: int(1, 'samples scored at once', 32),
        sampleTimeoutMs: int(1, 'per-sample scoring timeout', 60000),
        retries: int(0, 'retries of infrastructure errors', 2),
        hookTimeoutMs: int(1, 'time limit of plugin setup and teardown hooks', 120000),
        maxPluginErrors: int(0, 'plugin_error results tolerated before the run stops with PLUGIN_ERROR_LIMIT', 10),
        workers: int(0, 'worker threads for plugin code; 0 runs plugins in-process (default: one per core, at most 4)'),
        dedupe: { type: 'boolean', default: true, description: 'score identical completions of one prompt within a step once' },
      },
    },
    phases: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['type'],
        properties: { type: { enum: Object.keys(phaseSchemas) } },
        allOf: Object.entries(phaseSchemas).map(([type, schema]) => ({ if: { type: 'object', properties: { type: { const: type } } }, then: schema })),
      },
    },
    eval: {
      type: 'object',
      additionalProperties: false,
      properties: {
        every: int(0, 'every k GRPO steps (0: only before and after each GRPO phase)', 10),
        samples: int(1, 'eval prompts', 256),
        runs: int(1, 'completions per prompt at `sampling` (pass@1 averaged)', 1),
        sampling: samplingSchema,
        greedy: { type: 'boolean', default: true, description: 'also decode greedily and log accuracy' },
        groupBy: { type: 'string', description: 'metadata key splitting greedy accuracy: eval/greedy/accuracy/<value>' },
        correctThreshold: { type: 'number', default: 1, description: 'reward at or above which a completion is correct' },
      },
    },
    logging: loggingConfigSchema,
    checkpoint: { type: 'object', additionalProperties: false, default: {}, properties: { every: int(0, 'checkpoint every k steps of a phase (0: only at phase ends)', 0) } },
    seed: int(0, 'seed of prompt sampling, generation and the server', 0),
  },
};
