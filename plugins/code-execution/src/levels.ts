// The reward levels of reward:code-execution and their score under each scheme.
import type { ScoreObject } from '@molrl/core/plugin';
import type { CodeExecutionOptions } from './options-schema.ts';

/** What one sample reached: parses (or compiles), executes, correct; with the reason and the feedback. */
export interface Levels {
  parses: boolean;
  executes: boolean;
  correct: boolean;
  reason: string;
  feedback?: string;
  /** Mode io: the fraction of test cases passed, logged as the component `fraction`. */
  fraction?: number;
}

/** multi-value: 0 / values.parses / values.executes / values.correct; binary: correct or 0. Components 0/1 (+ fraction). */
export function levelsToScore(l: Levels, o: CodeExecutionOptions): ScoreObject {
  const components: Record<string, number> = { parses: l.parses ? 1 : 0, executes: l.executes ? 1 : 0, correct: l.correct ? 1 : 0 };
  if (l.fraction !== undefined) components.fraction = l.fraction;
  let score: number;
  if (o.scheme === 'binary') score = l.correct ? 1 : 0;
  else score = l.correct ? o.values.correct : l.executes ? o.values.executes : l.parses ? o.values.parses : 0;
  return { score, components, reason: l.reason, ...(l.feedback === undefined ? {} : { feedback: l.feedback }) };
}
