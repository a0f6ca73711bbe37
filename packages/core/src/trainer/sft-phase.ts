// The `{ type: 'sft' }` phase: demonstrations through /v1/train/mol with every completion token CE, in the prompts' format.
import { errors as commonErrors, readJsonlFile } from '@molrl/common';
import type { ChatMessage, MolSegment } from '@molrl/policy-client';
import { int } from '../config/schema-fragments.ts';
import type { DatasetRow } from '../dataset/load-dataset.ts';
import { definePhase, once, type PhaseConfigBase } from './define-phase.ts';
import { learningRateAt, scheduleProblems, scheduleProperties, type LearningRateSchedule } from './learning-rate-schedule.ts';
import { sampleWithoutReplacement, seededRandom, stepSeed } from './seeded-random.ts';

/** A demonstration: a prompt and its completion, or a conversation whose assistant turns are trained. */
export type Demonstration = { prompt: string; completion: string } | { messages: ChatMessage[] };

/** How demonstrations reach the model: chat-template turns, raw text, or like the job's training prompts. */
export type SftTemplate = 'auto' | 'chat' | 'text';

/** Supervised fine-tuning on demonstrations (all completion tokens CE). */
export interface SftPhaseConfig extends PhaseConfigBase, LearningRateSchedule {
  type: 'sft';
  /** JSONL of demonstrations `{ prompt, completion }` or `{ messages }`, relative to the config file. */
  data: string;
  /** @default 32 */
  batchSize: number;
  learningRate: number;
  /**
   * `chat`: the prompt as a user turn and the completion as an assistant turn of the model's chat template;
   * `text`: raw text; `auto`: chat when the job's training prompts are chat messages (what GRPO sends), else text.
   * `{ messages }` demonstrations are always chat. @default 'auto'
   */
  template: SftTemplate;
  /** @default 32 */
  microBatchSize: number;
  /** Metrics line every k steps. @default 10 */
  logEvery: number;
}

const ROLES = new Set(['system', 'user', 'assistant', 'tool']);

/** Reads a demonstrations JSONL file; CONFIG_INVALID lists every bad line. */
export function readDemonstrations(file: string): Demonstration[] {
  const out: Demonstration[] = [];
  const problems: string[] = [];
  for (const { line, value, error } of readJsonlFile(file)) {
    const v = value as { prompt?: unknown; completion?: unknown; messages?: unknown } | undefined;
    const messages = v?.messages;
    if (error === undefined && Array.isArray(messages)) {
      const okTurns = messages.length > 0 && messages.every((m: { role?: unknown; content?: unknown }) => ROLES.has(m?.role as string) && typeof m?.content === 'string');
      if (okTurns && messages.some((m: ChatMessage) => m.role === 'assistant')) out.push({ messages: messages as ChatMessage[] });
      else problems.push(`${file}:${line}: "messages" must be [{ role: system|user|assistant|tool, content: string }] with at least one assistant turn`);
    } else if (error !== undefined || typeof v?.prompt !== 'string' || typeof v?.completion !== 'string') {
      problems.push(`${file}:${line}: ${error ?? 'expected { "prompt": string, "completion": string } or { "messages": [...] }'}`);
    } else out.push({ prompt: v.prompt, completion: v.completion });
  }
  if (problems.length || out.length === 0) throw commonErrors.CONFIG_INVALID(`demonstrations ${file} are invalid:\n  ${problems.slice(0, 50).join('\n  ') || 'no rows'}`, file, { problems });
  return out;
}

/** Whether `auto` means chat: the job's training prompts are chat messages (the policy sees them through the chat template). */
export const promptsAreChat = (rows: readonly DatasetRow[]): boolean => rows.some((r) => typeof r.prompt !== 'string');

/** The /v1/train/mol example of a demonstration: the prompt untrained, the completion (and its end marker) CE. */
export function sftExample(demo: Demonstration, chat: boolean): { segments: MolSegment[] } {
  if ('messages' in demo) return { segments: demo.messages.map((m) => ({ role: m.role, text: m.content, loss: m.role === 'assistant' ? ('ce' as const) : ('none' as const) })) };
  if (chat) return { segments: [{ role: 'user', text: demo.prompt, loss: 'none' }, { role: 'assistant', text: demo.completion, loss: 'ce' }] };
  return { segments: [{ text: demo.prompt, loss: 'none' }, { text: demo.completion, loss: 'ce' }] };
}

/** The SFT phase: seeded batches of demonstrations, one CE step each, with the phase's learning-rate schedule. */
export const sftPhase = definePhase<SftPhaseConfig, Demonstration[]>({
  type: 'sft',
  description: 'supervised fine-tuning on demonstrations { prompt, completion } or { messages }: CE on every completion token',
  optionsSchema: {
    type: 'object',
    required: ['data', 'steps', 'learningRate'],
    properties: {
      data: { type: 'string', minLength: 1, description: 'JSONL of { prompt, completion } or { messages }, relative to the config file' },
      steps: int(1, 'optimizer steps'),
      batchSize: int(1, 'demonstrations per step', 32),
      ...scheduleProperties('cosine'),
      template: { enum: ['auto', 'chat', 'text'], default: 'auto', description: "chat: prompt and completion as chat-template turns; text: raw text; auto: like the job's training prompts (chat when they are messages)" },
      microBatchSize: int(1, 'examples per forward/backward pass', 32),
      logEvery: int(1, 'metrics line every k steps', 10),
    },
  },
  resolve(options, ctx) {
    for (const [field, problem] of scheduleProblems(options, options.steps)) ctx.problem(field, problem);
    const config = { ...options, data: ctx.file(options.data, 'data') };
    return { config, data: once(() => readDemonstrations(config.data)) };
  },
  async run(ctx, phase, demos) {
    const chat = phase.template === 'chat' || (phase.template === 'auto' && promptsAreChat(ctx.data.train));
    if (ctx.startStep === 0) ctx.logger.info(`sft: ${demos.length} demonstrations as ${chat ? 'chat-template turns' : 'raw text'}`);
    let sums = { loss: 0, n: 0, ms: 0 };
    for (let step = ctx.startStep + 1; step <= phase.steps; step++) {
      if (ctx.signal.aborted) return;
      const batch = sampleWithoutReplacement(demos, phase.batchSize, seededRandom(stepSeed(ctx.config.seed, ctx.phaseIndex, step)));
      const lr = learningRateAt(phase, step, phase.steps);
      const t0 = performance.now();
      const res = await ctx.client.trainMol({ examples: batch.map((d) => sftExample(d, chat)), mode: 'ce', microBatchSize: phase.microBatchSize, learningRate: lr }); // runs to endStep once sent
      sums = { loss: sums.loss + res.ce, n: sums.n + 1, ms: sums.ms + performance.now() - t0 };
      const log = step % phase.logEvery === 0 || step === phase.steps;
      if (log) ctx.logMetrics(step, { loss: sums.loss / sums.n, learning_rate: res.learningRate ?? lr ?? null, grad_norm: res.gradNorm ?? null, 'time/train': sums.ms / sums.n / 1000 });
      await ctx.endStep(step);
      if (log) {
        ctx.progress({ step, total: phase.steps, metrics: { loss: sums.loss / sums.n } });
        sums = { loss: 0, n: 0, ms: 0 };
      }
    }
  },
});
