// Types of the job config (`molrl train --config FILE`), after validation and defaults.
import type { SamplingParams } from '@molrl/policy-client';
import type { SandboxConfig } from '@molrl/sandbox';
import type { RewardSpec } from '../types.ts';
import type { PhaseConfig } from '../trainer/phase-registry.ts';
import type { LoggingConfig } from '../trackers/logging-config.ts';

/** How the trainer starts its policy server (flags of `python -m molrl_policy.server`). */
export interface ServerStartConfig {
  seed?: number;
  threads?: number;
  device?: string;
  loraR?: number;
  lr?: number;
  /** hf models: 'auto' (bf16 on CUDA, fp32 on CPU), 'float32', 'bfloat16', 'float16'. */
  dtype?: 'auto' | 'float32' | 'bfloat16' | 'float16';
  /** hf models: 'eager', 'sdpa', 'flash_attention_2'. */
  attnImplementation?: string;
  /** hf models: activation checkpointing in the backward pass. @default true */
  gradientCheckpointing?: boolean;
  /** Default token budget of a train micro-batch. */
  microBatchTokens?: number;
  /** KV-cache budget of one generation batch, GiB. */
  kvCacheGb?: number;
  /** Generation engine: 'auto' (static on CUDA, eager on CPU), 'eager', 'static', 'vllm'. @default 'auto' */
  engine?: 'auto' | 'eager' | 'static' | 'vllm';
  extraArgs?: string[];
  python?: string;
  /** Data-parallel ranks on this node through torchrun (one per GPU). @default 1 */
  nproc?: number;
  /**
   * Under torchrun: 'fsdp' shards weights, gradients and Adam moments across ranks (FSDP2, full fine-tuning of hf
   * models), 'none' keeps a replica per rank, 'auto' is fsdp for an hf model with loraR 0 on several ranks. @default 'auto'
   */
  shard?: 'auto' | 'fsdp' | 'none';
  /** Nodes of the group; this is node 0 (HTTP). More than 1 needs `rdzv`. @default 1 */
  nnodes?: number;
  /** `HOST:PORT` of node 0's rendezvous (static torchrun rendezvous). */
  rdzv?: string;
}

/** How the trainer reaches a policy server: start one, or use a running one. */
export type ServerConfig = (
  | { start: ServerStartConfig; url?: undefined }
  | { url: string; token?: string; start?: undefined }
) & {
  /** Longest wait for one answer of the server, ms (TRAIN_SERVER_UNRESPONSIVE after it). @default 600000 */
  timeoutMs: number;
};

/** Train/eval data (JSONL rows `{ id, messages | prompt, groundTruth, metadata }`). */
export interface DatasetConfig {
  train: string;
  eval?: string;
  /** Share of `train` held out for eval when `eval` is absent. @default 0.1 */
  evalFraction: number;
  /** Chat-template options of every generate request (e.g. Qwen3's `{ enable_thinking: false }`). */
  chatTemplateKwargs?: Record<string, unknown>;
}

/** Any phase: the union of the built-in phase definitions' configs (see ../trainer/phase-registry.ts). */
export type { PhaseConfig } from '../trainer/phase-registry.ts';
export type { GrpoPhaseConfig } from '../trainer/grpo-phase.ts';
export type { SftPhaseConfig, SftTemplate, Demonstration } from '../trainer/sft-phase.ts';
export type { MolPhaseConfig, MolValidationConfig } from '../mol/mol-phase.ts';
export type { PhaseConfigBase, ReferenceChoice } from '../trainer/define-phase.ts';
export type { LearningRateSchedule } from '../trainer/learning-rate-schedule.ts';

/** Periodic evaluation. */
export interface EvalConfig {
  /** Every k GRPO steps (and before the first and after the last). 0 = only before and after. @default 10 */
  every: number;
  /** Eval prompts used (the first k of the eval split). @default 256 */
  samples: number;
  /** Completions per prompt at `sampling` (pass@1 averaged). @default 1 */
  runs: number;
  sampling: SamplingParams;
  /** Also decode greedily and log accuracy. @default true */
  greedy: boolean;
  /** Metadata key whose value splits greedy accuracy (`eval/greedy/accuracy/<value>`). */
  groupBy?: string;
  /** A completion counts as correct when its reward is >= this. @default 1 */
  correctThreshold: number;
}

/** The validated, defaulted, frozen job config. */
export interface JobConfig {
  /** Run name: `runs/<name>/`. */
  name?: string;
  /** Where run directories go, relative to the config file. @default 'runs' */
  runsDir: string;
  model: string;
  modelConfig?: Record<string, unknown>;
  server: ServerConfig;
  dataset: DatasetConfig;
  rewards: RewardSpec[];
  sandbox: SandboxConfig;
  /** Reward engine options. */
  scoring: { concurrency: number; sampleTimeoutMs: number; retries: number; hookTimeoutMs: number; maxPluginErrors: number; workers?: number; dedupe: boolean };
  phases: PhaseConfig[];
  eval?: EvalConfig;
  checkpoint: { every: number };
  seed: number;
  /** Experiment trackers (W&B, TensorBoard) that receive every metrics line. */
  logging?: LoggingConfig;
}
