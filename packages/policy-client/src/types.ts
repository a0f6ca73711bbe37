// Public types of @molrl/policy-client: the policy-server protocol (v1) and the client's options.
// They mirror packages/policy-client/schemas/*.json, which both sides validate against.

/** A chat message of a prompt. */
export interface ChatMessage {
  /** Speaker of the turn. */
  role: 'system' | 'user' | 'assistant' | 'tool';
  /** Text of the turn. */
  content: string;
}

/** A prompt: chat messages (rendered with the model's chat template) or raw text (tokenized as is). */
export type Prompt = { id: string; messages: ChatMessage[]; chatTemplateKwargs?: ChatTemplateKwargs } | { id: string; text: string };

/** Options of the model's chat template, e.g. Qwen3's `{ enable_thinking: false }`. */
export type ChatTemplateKwargs = Record<string, unknown>;

/** Sampling parameters; every field is optional and has the default shown. */
export interface SamplingParams {
  /** Softmax temperature; 0 = greedy. Default 1. */
  temperature?: number;
  /** Nucleus mass in (0, 1]; 1 = off. Default 1. */
  topP?: number;
  /** Keep the k most likely tokens; 0 = off. Default 0. */
  topK?: number;
  /** Penalty on tokens already in the completion, in [-2, 2]; 0 = off. Default 0. */
  presencePenalty?: number;
  /** Most new tokens per completion. Default 256. */
  maxTokens?: number;
  /** Stop strings (kept out of the text). Default []. */
  stop?: string[];
}

/** `POST /v1/generate` body. */
export interface GenerateRequest {
  /** One or more prompts. */
  prompts: Prompt[];
  /** Completions per prompt (group size G). Default 1. */
  n?: number;
  /** Sampling parameters. */
  sampling?: SamplingParams;
  /** RNG seed of this request. */
  seed?: number;
  /** Benchmarks only: false generates without a KV cache. Default true. */
  kvCache?: boolean;
  /** Chat-template options of every messages prompt; a prompt's own `chatTemplateKwargs` win. */
  chatTemplateKwargs?: ChatTemplateKwargs;
}

/** One generated sequence. */
export interface Completion {
  /** Id of the prompt it answers. */
  promptId: string;
  /** Sample index within the prompt, 0..n-1. */
  index: number;
  /** Decoded text, without the stop string or EOS. */
  text: string;
  /** Generated tokens kept for training. */
  tokenCount: number;
  /** 'stop': stop string; 'eos': end of turn; 'length': maxTokens reached. */
  finishReason: 'stop' | 'eos' | 'length';
}

/** `POST /v1/generate` answer: completions in canonical order (prompt by prompt, index 0..n-1). */
export interface GenerateResponse {
  /** Handle of the stored token ids and old log-probs, for `trainPolicy`. */
  rolloutId: string;
  /** Every completion, in canonical order. */
  completions: Completion[];
}

/** One event of a streamed generation, in arrival order: rollout, completion..., done. */
export type GenerateStreamEvent =
  | { type: 'rollout'; rolloutId: string }
  | { type: 'completion'; completion: Completion }
  | { type: 'done'; rolloutId: string; completions: number };

/** `GET /v1/health` answer. */
export interface HealthResponse {
  /** Always 'ok'. */
  status: 'ok';
  /** Model spec the server runs: 'tiny', 'hf:<id>', 'hf-random:<cfg>'. */
  model: string;
  /** Torch device, e.g. 'cpu', 'cuda:0'. */
  device: string;
  /** Optimizer steps taken so far. */
  step: number;
  /** '1' or '1.<minor>'. */
  protocolVersion: string;
  /** Total parameter count, when reported. */
  parameters?: number;
  /** Trainable parameter count, when reported. */
  trainableParameters?: number;
  /** True when a LoRA adapter is trained. */
  lora?: boolean;
  /** False when the server runs without a KV cache. */
  kvCache?: boolean;
}

/** Policy-gradient loss variants. */
export type LossType = 'grpo' | 'bnpo' | 'dr_grpo' | 'dapo';

/** `POST /v1/train/policy` body. */
export interface TrainPolicyRequest {
  /** From `generate`. */
  rolloutId: string;
  /** One per completion in canonical order; null skips the completion. */
  advantages: Array<number | null>;
  /** Default 'grpo'. */
  lossType?: LossType;
  /** Ratio clip range [1 - low, 1 + high]; defaults 0.2 / 0.2. */
  clip?: { low?: number; high?: number };
  /** k3 KL weight; 0 = no reference pass. Default 0. */
  beta?: number;
  /** dr_grpo's normaliser constant; defaults to the rollout's maxTokens. */
  maxCompletionLength?: number;
  /** Completions per forward/backward pass. Default 8. */
  microBatchSize?: number;
  /** Token budget of a micro-batch (rows x longest sequence). Default: the server's (hf 16384). */
  microBatchTokens?: number;
  /** Sets the learning rate from this step on. */
  learningRate?: number;
  /** Global-norm gradient clipping. Default 1. */
  maxGradNorm?: number;
}

/** `POST /v1/train/policy` answer. */
export interface TrainPolicyResponse {
  /** Step count after this step. */
  step: number;
  /** Back-propagated loss. */
  loss: number;
  /** Mean k3 KL to the reference. */
  kl: number;
  /** Fraction of clipped tokens. */
  clipFraction: number;
  /** Gradient norm before clipping. */
  gradNorm: number;
  /** Mean token entropy. */
  entropy: number;
  /** Completion tokens trained on. */
  tokens: number;
  /** Completions skipped for a null advantage, when reported. */
  skipped?: number;
  /** Server-side step time, when reported. */
  durationMs?: number;
  /** Mean |log p_sampler - log p_trainer| over the completion tokens (rollout/train mismatch). */
  logprobMismatch?: number;
  /** Largest |log p_sampler - log p_trainer| over the completion tokens. */
  logprobMismatchMax?: number;
}

/** A text segment of a MoL example and the loss its tokens get. */
export interface MolSegment {
  /** Text, concatenated with the other segments. */
  text: string;
  /** 'ce': cross-entropy; 'kl': KL to the reference; 'none': context only. */
  loss: 'ce' | 'kl' | 'none';
  /** Render as a chat turn of this role in the model's template. */
  role?: 'system' | 'user' | 'assistant' | 'tool';
  /** Continues the previous segment's chat turn (same role): no template prefix, no end marker in between. */
  continues?: boolean;
}

/** `POST /v1/train/mol` body. */
export interface TrainMolRequest {
  /** Sequences, each a list of tagged segments. */
  examples: Array<{ segments: MolSegment[] }>;
  /** 'mol' (CE + KL, 1:1), 'ce' (CE on ce and kl tokens), 'ce_nokl' (CE on ce tokens). Default 'mol'. */
  mode?: 'mol' | 'ce' | 'ce_nokl';
  /** Examples per forward/backward pass. Default 8. */
  microBatchSize?: number;
  /** Token budget of a micro-batch (rows x longest sequence). Default: the server's (hf 16384). */
  microBatchTokens?: number;
  /** Sets the learning rate from this step on. */
  learningRate?: number;
  /** Global-norm gradient clipping. Default 1. */
  maxGradNorm?: number;
  /** Forward only (validation loss): no optimizer step, step count unchanged. Default false. */
  evalOnly?: boolean;
}

/** `POST /v1/train/mol` answer. */
export interface TrainMolResponse {
  /** Step count after this step. */
  step: number;
  /** Back-propagated loss. */
  loss: number;
  /** Mean CE over CE tokens. */
  ce: number;
  /** Mean KL over KL tokens. */
  kl: number;
  /** Tokens with CE loss. */
  ceTokens: number;
  /** Tokens with KL loss. */
  klTokens: number;
  /** Gradient norm before clipping, when reported. */
  gradNorm?: number;
  /** Server-side step time, when reported. */
  durationMs?: number;
}

/** `POST /v1/checkpoint/save` and `/load` body. */
export interface CheckpointRequest {
  /** Directory on the server's file system. */
  path: string;
}

/** `POST /v1/checkpoint/save` and `/load` answer. */
export interface CheckpointResponse {
  /** Absolute checkpoint directory. */
  path: string;
  /** Step stored or restored. */
  step: number;
  /** Files written or read, when reported. */
  files?: string[];
}

/** Body of every 4xx / 5xx answer. */
export interface ServerErrorBody {
  /** The server's coded error. */
  error: { code: string; message: string; path?: string; details?: Record<string, unknown> };
}

/** Options of `new PolicyClient(...)`. */
export interface PolicyClientOptions {
  /** Base URL, e.g. `http://127.0.0.1:8100` (a trailing `/` is fine). */
  url: string;
  /** Bearer token, sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** Per-request timeout in ms (streams: longest silence between lines). Default 600000. */
  timeoutMs?: number;
  /** Extra attempts after a connection error (never after the server got a train request). Default 3. */
  retries?: number;
  /** First backoff delay in ms, doubled per attempt. Default 100. */
  retryDelayMs?: number;
}

/** Per-call options of every client method. */
export interface CallOptions {
  /** Cancels the call; it rejects with POLICY_REQUEST_ABORTED. */
  signal?: AbortSignal;
  /** Overrides the client's timeout for this call. */
  timeoutMs?: number;
}
