// Scores one completion: extract the final answer, compare it with groundTruth (exact, numeric or symbolic).
import type { RewardContext, RewardSample, ScoreObject } from '@molrl/core/plugin';
import { extractAnswer } from './extract-answer.ts';
import { latexToSympy } from './latex-to-sympy.ts';
import type { MathAnswerOptions } from './options-schema.ts';
import { normaliseAnswer, numbersMatch, parseNumber } from './parse-number.ts';
import { symbolicEqual } from './symbolic-equal.ts';

/** The ground truth as text: a string, a number, or the last boxed answer inside a string solution. */
function truthOf(sample: RewardSample): string | null {
  const t = sample.groundTruth;
  if (typeof t === 'number') return String(t);
  if (typeof t !== 'string') return null;
  return extractAnswer(t, null) ?? t;
}

/** The score of one sample (see README.md). */
export async function scoreAnswer(sample: RewardSample, ctx: RewardContext<MathAnswerOptions>): Promise<ScoreObject> {
  const o = ctx.options;
  const truth = truthOf(sample);
  if (truth === null) return { score: null, reason: 'no groundTruth (string or number) for this sample' };
  const answer = extractAnswer(sample.completion, o.pattern);
  const verdict = (correct: boolean, reason: string): ScoreObject => ({
    score: correct ? o.correctScore : o.incorrectScore,
    components: { answered: 1, correct: correct ? 1 : 0 },
    reason,
  });
  if (answer === null || answer === '') {
    if (o.noAnswer === 'abstain') return { score: null, reason: 'no final answer found' };
    return { score: o.incorrectScore, components: { answered: 0, correct: 0 }, reason: 'no final answer found' };
  }
  if (normaliseAnswer(answer) === normaliseAnswer(truth)) return verdict(true, 'same answer');
  if (o.compare === 'exact') return verdict(false, `answer ${JSON.stringify(answer)} differs from ${JSON.stringify(truth)}`);
  const a = parseNumber(answer);
  const t = parseNumber(truth);
  if (a.length > 0 && t.length > 0) return verdict(numbersMatch(a, t, o.numericTolerance), 'numeric comparison');
  if (o.compare === 'numeric') return verdict(false, 'not the same number');
  const outcome = await symbolicEqual(ctx.sandbox, latexToSympy(answer), latexToSympy(truth), o, ctx.signal);
  return verdict(outcome === 'equal', `symbolic comparison: ${outcome}`);
}
