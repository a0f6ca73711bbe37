// The environment feedback of mode 'io': which case failed first and how, with its input and a truncated diff.
import type { RunResult } from '@molrl/sandbox';
import { firstDifference } from './compare-tokens.ts';
import type { IoCase } from './io-cases.ts';

const head = (text: string, max: number): string => (text.length <= max ? text : `${text.slice(0, max)}...[${text.length - max} more characters]`);
const block = (label: string, text: string, max: number): string => `${label}:\n${head(text.replace(/\n+$/, ''), max)}`;
const quote = (line: string): string => JSON.stringify(head(line, 200));

/** Why a run did not finish cleanly, with the limit it hit. */
export function describeFailure(r: RunResult, limits: { timeoutMs: number; memoryMb: number; outputLimitBytes: number }): string {
  switch (r.status) {
    case 'timeout':
      return `timeout (limit: ${limits.timeoutMs} ms)`;
    case 'memory_limit':
      return `memory limit (limit: ${limits.memoryMb} MB)`;
    case 'output_limit':
      return `output limit (limit: ${limits.outputLimitBytes} bytes)`;
    case 'killed':
      return `killed by ${r.signal ?? 'a signal'}`;
    default:
      return r.exitCode === null ? 'runtime error' : `runtime error (exit code ${r.exitCode})`;
  }
}

/** `Observation: Execution logs:` naming the case whose output was wrong: its input, expected, got, first differing line. */
export function wrongOutputFeedback(index: number, total: number, c: IoCase, stdout: string, maxChars: number): string {
  const part = Math.max(50, Math.floor(maxChars / 4));
  const diff = firstDifference(stdout, c.expected);
  const lines = [
    `Observation: Execution logs:\nTest case ${index + 1} of ${total}: wrong output.`,
    block('Input', c.stdin, part),
    block('Expected', c.expected, part),
    block('Got', stdout, part),
  ];
  if (diff) lines.push(`First difference at line ${diff.line}: expected ${quote(diff.expected)}, got ${quote(diff.actual)}`);
  return head(lines.join('\n'), maxChars);
}

/** `Observation: Error:` naming the case that crashed (or hit a limit), its input, and the end of its stderr. */
export function crashFeedback(index: number, total: number, c: IoCase, r: RunResult, why: string, maxChars: number): string {
  const part = Math.max(50, Math.floor(maxChars / 4));
  const err = r.stderr.replace(/\n+$/, '').split('\n').slice(-12).join('\n');
  const tail = err.length > maxChars / 2 ? `...${err.slice(err.length - Math.floor(maxChars / 2))}` : err;
  return head([`Observation: Error: Test case ${index + 1} of ${total}: ${why}.`, block('Input', c.stdin, part), ...(tail ? [tail] : [])].join('\n'), maxChars);
}

/** `Observation: Error: Compilation failed:` with the compiler's first messages (the first error is the one that matters). */
export function compileFeedback(r: RunResult, maxChars: number): string {
  return `Observation: Error: Compilation failed:\n${head(r.stderr.replace(/\n+$/, ''), maxChars)}`;
}
