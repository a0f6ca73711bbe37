// JSON Schema of the job config, phases from their definitions (published as packages/core/schemas/job-config.json; a test keeps it in sync).
import { sandboxConfigSchema } from '@molrl/sandbox';
import { rewardsConfigSchema } from '../rewards/rewards-config-schema.ts';
import { phaseSchema } from '../trainer/define-phase.ts';
import { BUILTIN_PHASES, type AnyPhaseDefinition } from '../trainer/phase-registry.ts';
import { int, samplingSchema } from './schema-fragments.ts';
import { loggingConfigSchema } from '../trackers/logging-config.ts';

const { $id: _s, ...sandboxSchema } = sandboxConfigSchema;
const { $id: _r, ...rewardsSchema } = rewardsConfigSchema;

/** Schema of one `phases[i]` entry per phase type, from the phase definitions. */
export const phaseSchemas: Readonly<Record<string, object>> = Object.fromEntries(BUILTIN_PHASES.map((d) => [d.type, phaseSchema(d as unknown as AnyPhaseDefinition)]));

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
            engine: { enum: ['auto', 'eager', 'static', 'vllm'], description: 'generation engine: auto (static on CUDA, eager on CPU), eager (the reference loop), static (pre-allocated KV cache, decode step compiled on CUDA), vllm (vLLM in the server process, hf models)' },
            extraArgs: { type: 'array', items: { type: 'string' } },
            python: { type: 'string', minLength: 1, description: "Python that runs the server (needs torch; transformers and peft for hf: models); default $MOLRL_PYTHON, else the checkout's .venv" },
            nproc: int(1, 'data-parallel ranks on this node through torchrun (one per GPU); 1 = one process, no torchrun'),
            shard: { enum: ['auto', 'fsdp', 'none'], description: 'under torchrun: fsdp = FSDP2 fully_shard of weights, gradients and Adam moments across ranks (full fine-tuning of hf models); none = a replica per rank; auto (server default) = fsdp for an hf model with loraR 0 on several ranks, else none' },
            nnodes: int(1, 'nodes of the group (this is node 0, serving HTTP; start the others with molrl server start --node-rank K); more than 1 needs rdzv'),
            rdzv: { type: 'string', pattern: '^(\\[[0-9a-fA-F:.]+\\]|[A-Za-z0-9.-]+):[0-9]{1,5}$', description: "HOST:PORT of node 0's rendezvous: a free port on node 0 that every node reaches" },
          },
          if: { properties: { nnodes: { type: 'integer', minimum: 2 } }, required: ['nnodes'] },
          then: { properties: { rdzv: { type: 'string' } }, required: ['rdzv'] },
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
