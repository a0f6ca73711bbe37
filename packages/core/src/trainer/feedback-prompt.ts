// The prompt of a feedback-guided regeneration: the original prompt, the failed completion, its sandbox feedback as MoL's `Observation:` turn.
import type { ChatMessage } from '@molrl/policy-client';
import type { DatasetRow } from '../dataset/load-dataset.ts';

/** Where MoL traces mark environment feedback: a user turn starting with this (smolagents' form). */
export const OBSERVATION_PREFIX = 'Observation:';

/** The feedback as an observation turn: the plugin's text as is when it is one already (code-execution's is), else prefixed. */
export function observationTurn(feedback: string): string {
  const text = feedback.trim();
  return text.startsWith(OBSERVATION_PREFIX) ? text : `${OBSERVATION_PREFIX} ${text}`;
}

/**
 * x + y + o: the prompt extended by the failed completion and its feedback, in the form of a MoL trace.
 * Chat prompts get two turns, `{ assistant: completion }` then `{ user: Observation: ... }` (the trace's turns);
 * raw text prompts get the same turns as text, `<prompt><completion>\n<Observation: ...>\n`.
 */
export function extendPrompt(prompt: DatasetRow['prompt'], completion: string, feedback: string): DatasetRow['prompt'] {
  const observation = observationTurn(feedback);
  if (typeof prompt === 'string') return `${prompt}${completion}\n${observation}\n`;
  const turns: ChatMessage[] = [{ role: 'assistant', content: completion }, { role: 'user', content: observation }];
  return [...prompt, ...turns];
}
