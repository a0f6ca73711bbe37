// Types of agent traces (smolagents CodeAgent / OpenAI chat form) and of their preprocessed, loss-tagged form.

/** One message of a raw trace as it appears in JSONL. `content` may be a string or OpenAI-style text parts. */
export interface TraceMessage {
  role: string;
  content: string | { type: string; text?: string }[] | null;
  tool_call_id?: string;
  name?: string;
}

/** One raw trace line: a conversation with an id. */
export interface Trace {
  id: string;
  messages: TraceMessage[];
}

/** What a turn is, for the MoL loss: the system prompt, the task, the model's decision, or environment feedback. */
export type TurnKind = 'system' | 'task' | 'decision' | 'feedback' | 'context';

/** The chat role a segment is rendered with by the policy server. */
export type SegmentRole = 'system' | 'user' | 'assistant' | 'tool';

/** Loss tag of a segment: cross-entropy, KL to the frozen base (p0), or none. */
export type LossTag = 'ce' | 'kl' | 'none';

/** A loss-tagged piece of text; `continues: true` means it continues the previous segment's chat turn. */
export interface Segment {
  role: SegmentRole;
  text: string;
  loss: LossTag;
  continues?: boolean;
}

/** The paper's loss variants: mol (default), ce (KL replaced by CE), ce_nokl (no loss on decisions), ce_eetb (CE except the empty think blocks). */
export type MolVariant = 'mol' | 'ce' | 'ce_nokl' | 'ce_eetb';

/** Whether the model thinks in `<think>` blocks (CoT) or not. */
export type ModelType = 'cot' | 'non-cot';

/** A trace after preprocessing: its segments and their token count. */
export interface PreparedTrace {
  id: string;
  segments: Segment[];
  tokens: number;
  /** True when turns were cut to fit `maxTokens`. */
  truncated: boolean;
}

/** Options of preprocessing. */
export interface PrepareOptions {
  modelType: ModelType;
  /** @default 'mol' */
  variant?: MolVariant;
  /** Token budget per trace (the paper uses 8192). @default 8192 */
  maxTokens?: number;
  /** What to do with a trace over budget: cut at a turn boundary, or drop it. @default 'turn' */
  truncate?: 'turn' | 'drop';
  /** Counts tokens of a text; defaults to the byte-level count of the tiny model. */
  countTokens?: (text: string) => number;
}
