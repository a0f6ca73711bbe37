// GPU memory of a job config on the policy server, by the arithmetic the GPU examples' READMEs document:
// weights + trained-parameter state + the larger of (generation KV cache, training activations), plus a margin
// for the CUDA context, the allocator and transient buffers. Used by the feasibility tests of
// examples/qwen3-drgrpo and examples/qwen3-mol-drgrpo.
import type { GrpoPhaseConfig, JobConfig, MolPhaseConfig } from '@molrl/core';

/** The shape of a decoder-only transformer (from its config.json). */
export interface ModelShape {
  name: string;
  parameters: number;
  layers: number;
  hidden: number;
  intermediate: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  vocab: number;
}

/** Qwen3-8B (Qwen/Qwen3-8B config.json): 36 layers, hidden 4096, 32 query / 8 KV heads of 128, vocab 151,936. */
export const QWEN3_8B: ModelShape = { name: 'Qwen/Qwen3-8B', parameters: 8.19e9, layers: 36, hidden: 4096, intermediate: 12288, heads: 32, kvHeads: 8, headDim: 128, vocab: 151936 };

/** One NVIDIA H200 as lent here: 139 GiB the process can allocate. */
export const H200_BYTES = 139 * 2 ** 30;
const GiB = 2 ** 30;
const BF16 = 2;

/** Server defaults the plan assumes when the config leaves them out (molrl_policy/server.py, head.py). */
export const SERVER_DEFAULTS = { microBatchTokens: 16384, logitChunkElements: 2 ** 25, loraR: 64 };

/** LoRA parameters on every linear layer of the blocks (q, k, v, o, gate, up, down), rank r. */
export function loraParameters(m: ModelShape, r: number): number {
  const q = m.heads * m.headDim;
  const kv = m.kvHeads * m.headDim;
  const perLayer = r * (m.hidden + q) + 2 * r * (m.hidden + kv) + r * (q + m.hidden) + 2 * r * (m.hidden + m.intermediate) + r * (m.intermediate + m.hidden);
  return perLayer * m.layers;
}

/** KV-cache bytes of one token of one sequence in bf16: K and V, every layer, every KV head. */
export function kvBytesPerToken(m: ModelShape): number {
  return 2 * m.layers * m.kvHeads * m.headDim * BF16;
}

/** What one phase needs at its peak, bytes, and how generation is batched. */
export interface PhasePlan {
  phase: string;
  /** Generation: sequence length (prompt + new tokens), rows per batch under the KV budget, batches per step. */
  generation?: { sequence: number; rows: number; rowsPerBatch: number; batches: number; kvBytes: number };
  /** Training: tokens of one micro-batch and the activations kept for it. */
  training: { microBatchTokens: number; activationBytes: number };
  peakBytes: number;
}

/** The memory plan of `config` on `model` with prompts of `promptTokens`. */
export function memoryPlan(config: JobConfig, model: ModelShape, promptTokens: number): { weights: number; trainedState: number; phases: PhasePlan[]; peakBytes: number; margin: number } {
  const start = config.server.start ?? {};
  const r = start.loraR ?? SERVER_DEFAULTS.loraR;
  const weights = model.parameters * BF16; // frozen base in bf16
  // Trained parameters in fp32 with their gradient and AdamW's two moments: 16 bytes each (full fine-tuning: all).
  const trainedState = (r > 0 ? loraParameters(model, r) : model.parameters) * 16;
  const kvBudget = start.kvCacheGb !== undefined ? start.kvCacheGb * GiB : 0.4 * (H200_BYTES - weights - trainedState);
  // A micro-batch holds up to microBatchSize rows while rows x sequence <= microBatchTokens (one row at least).
  const activations = (sequence: number, microBatchSize: number) => {
    const budget = microBatchBudget(start.microBatchTokens);
    const tokens = Math.max(1, Math.min(microBatchSize, Math.floor(budget / sequence))) * sequence;
    const checkpoints = model.layers * tokens * model.hidden * BF16; // gradient checkpointing: each block's input
    const block = tokens * (4 * model.hidden + 3 * model.intermediate) * BF16 * 2; // one block recomputed, with its gradients
    const logits = SERVER_DEFAULTS.logitChunkElements * 4 * 3; // one fp32 chunk of logits, its softmax and gradient
    return { microBatchTokens: tokens, activationBytes: checkpoints + block + logits };
  };
  const phases: PhasePlan[] = config.phases.map((p, i) => {
    if (p.type === 'grpo') {
      const g = p as GrpoPhaseConfig;
      const sequence = promptTokens + (g.sampling.maxTokens ?? 256);
      const rows = g.promptsPerStep * g.groupSize;
      const rowsPerBatch = Math.max(1, Math.floor(kvBudget / (kvBytesPerToken(model) * sequence)));
      const kvBytes = Math.min(rows, rowsPerBatch) * sequence * kvBytesPerToken(model);
      const training = activations(sequence, g.microBatchSize);
      return { phase: `phases[${i}] grpo`, generation: { sequence, rows, rowsPerBatch, batches: Math.ceil(rows / rowsPerBatch), kvBytes }, training, peakBytes: Math.max(kvBytes, training.activationBytes) };
    }
    const m = p as MolPhaseConfig;
    const training = activations(m.maxTokens, m.microBatchSize);
    // MoL's KL needs the reference's hidden states of the loss positions: one (tokens, hidden) bf16 tensor more.
    const ref = p.type === 'mol' ? training.microBatchTokens * model.hidden * BF16 : 0;
    return { phase: `phases[${i}] ${p.type}`, training, peakBytes: training.activationBytes + ref };
  });
  const peak = weights + trainedState + Math.max(...phases.map((p) => p.peakBytes));
  const margin = 0.1 * peak; // CUDA context, allocator fragmentation, transient buffers
  return { weights, trainedState, phases, peakBytes: peak + margin, margin };
}

const microBatchBudget = (configured: number | undefined): number => configured ?? SERVER_DEFAULTS.microBatchTokens;

export const gib = (bytes: number): string => (bytes / GiB).toFixed(1);
