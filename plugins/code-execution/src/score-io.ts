// Mode 'io' (and output mode for languages other than Python): the program runs once per { stdin, expected } case,
// a few cases at a time, stopping at the first failure when asked; compiled languages compile once per sample (the
// pool caches the binary by source hash, and concurrent cases wait for the one compile).
import { infraError, type RewardContext, type ScoreObject } from '@molrl/core/plugin';
import type { CanonicalLanguage, RunResult } from '@molrl/sandbox';
import { ioOutputMatches } from './compare-tokens.ts';
import type { IoCase } from './io-cases.ts';
import { compileFeedback, crashFeedback, describeFailure, wrongOutputFeedback } from './io-feedback.ts';
import { formatFeedback } from './format-feedback.ts';
import { levelsToScore } from './levels.ts';
import { defaultOptions, type CodeExecutionOptions } from './options-schema.ts';
import { SYNTAX_CHECKERS } from './syntax-check.ts';

/** How one case ended. */
interface Outcome {
  kind: 'pass' | 'wrong' | 'crash' | 'compile_error';
  result: RunResult;
}

/**
 * Runs `cases` in order with `concurrency` at a time. With `stopOnFirstFailure`, no case starts after a failure
 * was seen; every case started finishes, so every case before the first failing one has an outcome, and which
 * case fails first does not depend on scheduling. Throws REWARD_INFRA_ERROR on a sandbox_error.
 */
async function runCases(cases: IoCase[], run: (c: IoCase) => Promise<RunResult>, judge: (r: RunResult, c: IoCase) => Outcome, concurrency: number, stopOnFirstFailure: boolean): Promise<(Outcome | undefined)[]> {
  const outcomes: (Outcome | undefined)[] = new Array(cases.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (next < cases.length && !(failed && stopOnFirstFailure)) {
      const i = next++;
      const result = await run(cases[i]!);
      if (result.status === 'sandbox_error') throw infraError(result);
      outcomes[i] = judge(result, cases[i]!);
      if (outcomes[i]!.kind !== 'pass') failed = true;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, cases.length) }, worker));
  return outcomes;
}

/**
 * Scores `code` in `language` against `cases`. `style: 'output'` is output mode for non-Python languages (one
 * case, feedback as in output mode, no `fraction`).
 */
export async function scoreIo(code: string, language: CanonicalLanguage, cases: IoCase[], ctx: RewardContext<CodeExecutionOptions>, style: 'io' | 'output' = 'io'): Promise<ScoreObject> {
  const o = ctx.options;
  const compare = { ...defaultOptions.compare, ...o.compare };
  const limits = { timeoutMs: o.timeoutMs, memoryMb: o.memoryMb, outputLimitBytes: o.outputLimitBytes };
  const run = (c: IoCase) => ctx.sandbox.run({ language, code, stdin: c.stdin, compileTimeoutMs: o.compileTimeoutMs, ...limits }, { signal: ctx.signal });
  const judge = (r: RunResult, c: IoCase): Outcome => ({
    result: r,
    kind: r.status === 'compile_error' ? 'compile_error' : r.status !== 'ok' ? 'crash' : ioOutputMatches(r.stdout, c.expected, compare) ? 'pass' : 'wrong',
  });
  const checker = SYNTAX_CHECKERS[language];
  const [check, outcomes] = await Promise.all([
    checker === undefined ? null : ctx.sandbox.run({ language, code: checker, stdin: code, ...limits }, { signal: ctx.signal }),
    runCases(cases, run, judge, o.caseConcurrency, o.stopOnFirstFailure),
  ]);
  if (check?.status === 'sandbox_error') throw infraError(check);
  const fraction = (n: number) => (style === 'io' ? { fraction: n / cases.length } : {});
  const failedAt = outcomes.findIndex((x) => x !== undefined && x.kind !== 'pass');
  const first = failedAt < 0 ? undefined : outcomes[failedAt]!;
  if (first?.kind === 'compile_error') {
    return levelsToScore({ parses: false, executes: false, correct: false, reason: 'compile error', feedback: compileFeedback(first.result, o.feedbackMaxChars), ...fraction(0) }, o);
  }
  if (check?.status === 'runtime_error') {
    return levelsToScore({ parses: false, executes: false, correct: false, reason: 'syntax error', feedback: formatFeedback('error', '', check.stderr, o.feedbackMaxChars), ...fraction(0) }, o);
  }
  const passed = outcomes.filter((x) => x?.kind === 'pass').length;
  if (first === undefined) {
    const one = cases.length === 1;
    const feedback = style === 'io' ? `Observation: Execution logs:\n${one ? 'The test case passed.' : `All ${cases.length} test cases passed.`}` : formatFeedback('logs', outcomes[0]!.result.stdout, '', o.feedbackMaxChars);
    return levelsToScore({ parses: true, executes: true, correct: true, reason: style === 'io' ? (one ? 'the case passed' : `all ${cases.length} cases passed`) : 'output matches', feedback, ...fraction(cases.length) }, o);
  }
  const c = cases[failedAt]!;
  const crashed = o.stopOnFirstFailure ? first.kind === 'crash' : outcomes.some((x) => x?.kind === 'crash');
  const which = style === 'io' ? ` on case ${failedAt + 1} of ${cases.length}` : '';
  const why = first.kind === 'crash' ? describeFailure(first.result, limits) : 'wrong output';
  const feedback =
    style === 'output'
      ? first.kind === 'crash'
        ? formatFeedback('error', first.result.stdout, first.result.stderr || why, o.feedbackMaxChars)
        : formatFeedback('logs', first.result.stdout, '', o.feedbackMaxChars)
      : first.kind === 'crash'
        ? crashFeedback(failedAt, cases.length, c, first.result, why, o.feedbackMaxChars)
        : wrongOutputFeedback(failedAt, cases.length, c, first.result.stdout, o.feedbackMaxChars);
  return levelsToScore({ parses: true, executes: !crashed, correct: false, reason: `${why.replace(/ \(.*\)$/, '')}${which}`, feedback, ...fraction(o.stopOnFirstFailure ? failedAt : passed) }, o);
}
