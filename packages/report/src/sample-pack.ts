// Reduces a run's sample lines to what the page's sample browser holds: a sample of steps, cut texts, one prompt table.
import type { PageRunSamples, PageSample, SamplePackInfo, SampleReward } from './report-data.ts';

/** Limits of the embedded samples. */
export interface SamplePackOptions {
  /** Most samples of one run in the page; above it whole steps are picked evenly (first and last kept). @default 20000 */
  maxSamples?: number;
  /** Completions, prompts and feedback are cut to this many characters. @default 4000 */
  maxTextChars?: number;
}

export const DEFAULT_MAX_SAMPLES = 20_000;
export const DEFAULT_MAX_TEXT_CHARS = 4_000;

/** Statuses that are not a plain outcome (ok, abstain): always kept, whatever step they are in. */
const isFault = (status: string) => status !== 'ok' && status !== 'abstain';

/** A prompt as text: a string as is, chat messages as `[role]` blocks. */
export function promptText(prompt: unknown): string {
  if (typeof prompt === 'string') return prompt;
  if (Array.isArray(prompt)) return prompt.map((m: { role?: unknown; content?: unknown }) => `[${String(m?.role ?? '?')}]\n${String(m?.content ?? '')}`).join('\n\n');
  return '';
}

/** Steps (ascending) chosen so that their samples fit `budget`: evenly spaced, the first and the last included. */
export function pickSteps(countByStep: ReadonlyMap<number, number>, budget: number): Set<number> {
  const steps = [...countByStep.keys()].sort((a, b) => a - b);
  const total = [...countByStep.values()].reduce((a, b) => a + b, 0);
  if (total <= budget) return new Set(steps);
  const picked = new Set<number>();
  let used = 0;
  // Halve the stride until the budget is spent: 1st and last, then midpoints, ... (an even spread at any budget).
  const order: number[] = [];
  if (steps.length) order.push(steps.length - 1, 0);
  for (let stride = steps.length - 1; stride >= 1; stride = Math.floor(stride / 2)) {
    for (let i = 0; i < steps.length; i += stride) order.push(i);
    if (stride === 1) break;
  }
  for (const i of order) {
    const step = steps[i];
    if (picked.has(step)) continue;
    const n = countByStep.get(step) ?? 0;
    if (used + n > budget) continue;
    picked.add(step);
    used += n;
  }
  return picked;
}

/**
 * Packs `lines` (samples.jsonl objects) for the page. `prompts` maps prompt ids to text for runs whose
 * sample lines carry no `prompt` (older run stores): the dataset the config names.
 */
export function packSamples(lines: ReadonlyArray<Record<string, unknown>>, options: SamplePackOptions = {}, prompts?: ReadonlyMap<string, string>): { info: SamplePackInfo; packed: PageRunSamples } {
  const maxSamples = options.maxSamples ?? DEFAULT_MAX_SAMPLES;
  const maxTextChars = options.maxTextChars ?? DEFAULT_MAX_TEXT_CHARS;
  let truncatedTexts = 0;
  const cut = (text: string) => {
    if (text.length <= maxTextChars) return text;
    truncatedTexts++;
    return `${text.slice(0, maxTextChars)}\n… [${text.length - maxTextChars} more characters not in the report]`;
  };
  const countByStep = new Map<number, number>();
  let faults = 0;
  for (const l of lines) {
    const step = typeof l.step === 'number' ? l.step : 0;
    countByStep.set(step, (countByStep.get(step) ?? 0) + 1);
    if (isFault(String(l.status ?? 'ok'))) faults++;
  }
  // Faulty samples are few and the ones a reader looks for: keep them all (up to a quarter of the budget).
  const keepFaults = Math.min(faults, Math.floor(maxSamples / 4));
  const steps = pickSteps(countByStep, maxSamples - keepFaults);
  const promptIndex = new Map<string, number>();
  const table: string[] = [];
  const samples: PageSample[] = [];
  let faultsKept = 0;
  for (const l of lines) {
    const step = typeof l.step === 'number' ? l.step : 0;
    const status = String(l.status ?? 'ok');
    if (!steps.has(step)) {
      if (!isFault(status) || faultsKept >= keepFaults) continue;
      faultsKept++;
    }
    const pid = String(l.promptId ?? '');
    const text = cut(l.prompt !== undefined ? promptText(l.prompt) : (prompts?.get(pid) ?? ''));
    let p = promptIndex.get(text);
    if (p === undefined) {
      p = table.push(text) - 1;
      promptIndex.set(text, p);
    }
    const rewards: Record<string, SampleReward> = {};
    for (const [name, r] of Object.entries((l.rewards ?? {}) as Record<string, Record<string, unknown>>)) {
      const error = r?.error as { code?: unknown; message?: unknown } | undefined;
      rewards[name] = {
        score: typeof r?.score === 'number' ? r.score : null,
        status: String(r?.status ?? ''),
        components: (r?.components ?? {}) as Record<string, number>,
        ...(typeof r?.reason === 'string' ? { reason: cut(r.reason) } : {}),
        ...(error ? { error: cut(`${String(error.code ?? '')} ${String(error.message ?? '')}`.trim()) } : {}),
      };
    }
    samples.push({
      s: step,
      p,
      pid,
      i: typeof l.index === 'number' ? l.index : 0,
      r: typeof l.score === 'number' ? l.score : null,
      st: status,
      c: cut(String(l.completion ?? '')),
      ...(typeof l.tokenCount === 'number' ? { n: l.tokenCount } : {}),
      ...(typeof l.finishReason === 'string' ? { f: l.finishReason } : {}),
      ...(typeof l.advantage === 'number' || l.advantage === null ? { a: l.advantage as number | null } : {}),
      rw: rewards,
      ...(typeof l.feedback === 'string' ? { fb: cut(l.feedback) } : {}),
    });
  }
  return {
    info: { total: lines.length, kept: samples.length, steps: countByStep.size, keptSteps: steps.size, maxTextChars, truncatedTexts },
    packed: { prompts: table, samples },
  };
}
