// reward:math-answer — the final answer (\boxed{} or a pattern) against the ground truth: exact, numeric, or symbolic (sympy in the sandbox).
import { definePlugin } from '@molrl/core/plugin';
import { defaultOptions, optionsSchema, type MathAnswerOptions } from './options-schema.ts';
import { scoreAnswer } from './score-answer.ts';

export { extractAnswer, lastBoxed } from './extract-answer.ts';
export { parseNumber, normaliseAnswer, numbersMatch } from './parse-number.ts';
export { latexToSympy } from './latex-to-sympy.ts';
export { defaultOptions, optionsSchema, type MathAnswerOptions } from './options-schema.ts';

export default definePlugin<MathAnswerOptions>({
  name: 'reward:math-answer',
  version: '0.1.0',
  apiVersion: '^1',
  description: 'Compares the final answer (\\boxed{} or a pattern) with the ground truth: exact, numeric, or symbolic (sympy in the sandbox).',
  optionsSchema,
  defaultOptions,
  requires: { sandbox: ['docker', 'process'] },
  score: scoreAnswer,
});
