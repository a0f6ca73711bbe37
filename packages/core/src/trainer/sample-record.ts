// One scored completion of a GRPO step as the line the run's samples log gets.
import type { ScoredCompletion } from './generate-and-score.ts';

/** The samples-log record of completion `index` of its prompt, with its advantage (null: not trained on). */
export function sampleRecord(c: ScoredCompletion, step: number, index: number, advantage: number | null): Record<string, unknown> {
  return {
    step,
    promptId: c.row.id,
    prompt: c.row.prompt,
    index,
    completion: c.completion.text,
    tokenCount: c.completion.tokenCount,
    finishReason: c.completion.finishReason,
    score: c.scored.score,
    status: c.scored.status,
    advantage,
    rewards: Object.fromEntries(Object.entries(c.scored.rewards).map(([k, r]) => [k, { score: r.score, status: r.status, components: r.components, reason: r.reason, error: r.error }])),
    ...(c.scored.feedback ? { feedback: c.scored.feedback } : {}),
  };
}
