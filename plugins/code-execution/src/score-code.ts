// Scores one completion: extract the code in the sample's language; Python runs once in the sandbox (output mode:
// inside the small harness; tests mode: with the tests, which the sandbox runs in a judge process out of the
// program's reach), mode io and other languages go to score-io.ts; the verdict maps to 0 / parses / executes / correct.
import { infraError } from '@molrl/core/plugin';
import type { RewardContext, RewardSample, ScoreObject } from '@molrl/core/plugin';
import { LANGUAGE_NAMES, type RunResult, type TestsVerdict } from '@molrl/sandbox';
import { outputMatches } from './compare-output.ts';
import { extractCode, languageOf } from './extract-code.ts';
import { ioCasesOf } from './io-cases.ts';
import { scoreIo } from './score-io.ts';
import { formatFeedback, stripMarker } from './format-feedback.ts';
import type { CodeExecutionOptions } from './options-schema.ts';
import { levelsToScore } from './levels.ts';
import { buildHarness, type HarnessVerdict } from './python-harness.ts';

const VERDICTS = new Set<HarnessVerdict>(['syntax_error', 'program_error', 'ran']);

/** The verdict the output-mode harness wrote as `<marker>:<verdict>` (authenticated by the one-time marker), or null. */
export function readVerdict(result: RunResult): HarnessVerdict | null {
  const marker = result.marker?.value;
  if (!marker) return null;
  let found: HarnessVerdict | null = null;
  for (const line of result.stderr.split('\n')) {
    const i = line.indexOf(`${marker}:`);
    if (i !== -1) {
      const v = line.slice(i + marker.length + 1).trim() as HarnessVerdict;
      if (VERDICTS.has(v)) found = v;
    }
  }
  return found;
}

/** The tests of a sample: `metadata.tests` (string or list of strings), else `groundTruth` when it is a string. */
export function testsOf(sample: RewardSample): string | null {
  const t = sample.metadata?.tests;
  if (typeof t === 'string') return t;
  if (Array.isArray(t) && t.every((x) => typeof x === 'string')) return t.join('\n');
  return typeof sample.groundTruth === 'string' ? sample.groundTruth : null;
}

/** The score of one sample (see README.md for the levels). */
export async function scoreCode(sample: RewardSample, ctx: RewardContext<CodeExecutionOptions>): Promise<ScoreObject | null> {
  const o = ctx.options;
  const named = sample.metadata?.language;
  const language = languageOf(named ?? o.language);
  if (language === null) return { score: null, reason: `metadata.language is ${JSON.stringify(named)}, not a language the sandbox runs (${LANGUAGE_NAMES.join(', ')})` };
  const code = extractCode(sample.completion, language, o.acceptUntagged);
  if (code === null) return levelsToScore({ parses: false, executes: false, correct: false, reason: 'no code block' }, o);
  if (o.mode === 'io') {
    const cases = ioCasesOf(sample);
    return typeof cases === 'string' ? { score: null, reason: cases } : scoreIo(code, language, cases, ctx);
  }
  if (language !== 'python') {
    if (o.mode === 'tests') return { score: null, reason: `mode 'tests' runs Python unit tests; a ${language} sample needs mode 'io' (stdin/stdout cases)` };
    if (sample.groundTruth === undefined || sample.groundTruth === null) return { score: null, reason: 'no groundTruth to compare the output with' };
    const stdin = typeof sample.metadata?.stdin === 'string' ? sample.metadata.stdin : '';
    return scoreIo(code, language, [{ stdin, expected: String(sample.groundTruth) }], ctx, 'output');
  }
  let tests = '';
  if (o.mode === 'tests') {
    const t = testsOf(sample);
    if (t === null || t.trim() === '') return { score: null, reason: 'no tests for this sample (metadata.tests or groundTruth)' };
    tests = t;
  } else if (sample.groundTruth === undefined || sample.groundTruth === null) {
    return { score: null, reason: 'no groundTruth to compare the output with' };
  }
  const stdin = typeof sample.metadata?.stdin === 'string' ? sample.metadata.stdin : '';
  const limits = { language: 'python', stdin, timeoutMs: o.timeoutMs, memoryMb: o.memoryMb, outputLimitBytes: o.outputLimitBytes } as const;
  if (o.mode === 'tests') {
    const result = await ctx.sandbox.run({ ...limits, code, tests }, { signal: ctx.signal });
    if (result.status === 'sandbox_error') throw infraError(result);
    return testsScore(result, result.tests?.verdict ?? null, o);
  }
  const result = await ctx.sandbox.run({ ...limits, code: buildHarness(code), marker: true }, { signal: ctx.signal });
  if (result.status === 'sandbox_error') throw infraError(result);
  const marker = result.marker?.value;
  const stdout = stripMarker(result.stdout, marker);
  const stderr = stripMarker(result.stderr, marker);
  const verdict = readVerdict(result);
  const logs = formatFeedback('logs', stdout, '', o.feedbackMaxChars);
  if (verdict === 'syntax_error') return levelsToScore({ parses: false, executes: false, correct: false, reason: 'syntax error', feedback: formatFeedback('error', stdout, stderr || 'SyntaxError', o.feedbackMaxChars) }, o);
  if (result.status !== 'ok') return didNotRun(result, stdout, stderr, o);
  const correct = outputMatches(stdout, String(sample.groundTruth), o.compare);
  return levelsToScore({ parses: true, executes: true, correct, reason: correct ? 'output matches' : 'wrong output', feedback: logs }, o);
}

/** A program that parsed (the harness or the runner compiled it first) but did not run to its end. */
function didNotRun(result: RunResult, stdout: string, stderr: string, o: CodeExecutionOptions): ScoreObject {
  const why = result.status === 'runtime_error' ? 'runtime error' : result.status.replace('_', ' ');
  const limit = result.status === 'timeout' ? `${o.timeoutMs} ms` : result.status === 'memory_limit' ? `${o.memoryMb} MB` : result.status === 'output_limit' ? `${o.outputLimitBytes} bytes` : 'killed';
  const note = result.status === 'runtime_error' ? '' : `${why} (limit: ${limit})`;
  return levelsToScore({ parses: true, executes: false, correct: false, reason: why, feedback: formatFeedback('error', stdout, stderr || note || why, o.feedbackMaxChars) }, o);
}

/**
 * Tests mode: the judge's verdict (decided in a process the program cannot reach) gives the level; the run's own
 * status decides only when no verdict came (a limit ended it) or when the tests passed but the run broke a limit.
 */
function testsScore(result: RunResult, verdict: TestsVerdict | null, o: CodeExecutionOptions): ScoreObject {
  const detail = result.tests?.detail ?? '';
  const error = (text: string) => formatFeedback('error', result.stdout, text, o.feedbackMaxChars);
  switch (verdict) {
    case 'syntax_error':
      return levelsToScore({ parses: false, executes: false, correct: false, reason: 'syntax error', feedback: error(result.stderr || 'SyntaxError') }, o);
    case 'tests_error':
      return { score: null, reason: "the sample's tests do not compile or check nothing", feedback: error(detail || 'tests do not compile') };
    case 'tests_failed':
      return levelsToScore({ parses: true, executes: true, correct: false, reason: 'tests failed', feedback: error(detail || 'tests failed') }, o);
    case 'program_error':
      return levelsToScore({ parses: true, executes: false, correct: false, reason: result.status === 'ok' ? 'program ended before its tests' : 'runtime error', feedback: error(result.stderr || detail) }, o);
    case 'tests_passed':
      if (result.status === 'ok') return levelsToScore({ parses: true, executes: true, correct: true, reason: 'tests passed', feedback: formatFeedback('logs', result.stdout, '', o.feedbackMaxChars) }, o);
      return didNotRun(result, result.stdout, result.stderr, o);
    default:
      return didNotRun(result, result.stdout, result.stderr, o);
  }
}
