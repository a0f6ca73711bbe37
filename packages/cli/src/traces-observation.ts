// The code agent's conventions for `molrl traces collect`: code blocks, final answers, observations.
import type { RunResult } from '@molrl/sandbox';

/** Default system prompt of the collecting agent (smolagents CodeAgent style, kept short for small contexts). */
export const AGENT_SYSTEM_PROMPT =
  'You are a code agent. Solve the task by writing python in a ```python block; its output comes back as an Observation. ' +
  'When you know the answer, call final_answer(answer) in your code, or reply without a code block.';

/** Defined before the agent's code: `final_answer(x)` prints x and ends the program (and the episode). */
export const FINAL_ANSWER_PRELUDE = 'def final_answer(answer):\n    print(answer)\n    raise SystemExit(0)\n';

const BLOCK = /```(?:python|py)?[ \t]*\r?\n([\s\S]*?)```/g;

/** The python code of an assistant turn (all fenced python / untagged blocks, joined), or null when it has none. */
export function extractCode(text: string): string | null {
  const blocks = [...text.matchAll(BLOCK)].map((m) => m[1]);
  return blocks.length ? blocks.join('\n') : null;
}

/** True when the code calls `final_answer(...)`: the episode ends after this run. */
export const callsFinalAnswer = (code: string) => /\bfinal_answer\s*\(/.test(code);

const lastLine = (s: string) => s.trim().split('\n').filter(Boolean).at(-1) ?? '';

/**
 * The observation turn for a run, in the paper's form: `Observation: Execution logs:\n<stdout>` when the code ran,
 * else the logs so far and `Error: <last line of stderr>` (python's exception line) or the limit that stopped it.
 */
export function formatObservation(r: RunResult, maxChars: number): string {
  const cut = (s: string) => (s.length > maxChars ? `${s.slice(0, maxChars)}\n[output truncated]` : s);
  if (r.status === 'ok') return `Observation: Execution logs:\n${cut(r.stdout)}`;
  const why =
    r.status === 'runtime_error' ? lastLine(r.stderr) || `exit code ${r.exitCode}`
    : r.status === 'compile_error' ? `the code did not compile: ${r.stderr.split('\n').find((l) => /error/i.test(l))?.trim() ?? lastLine(r.stderr)}`
    : r.status === 'timeout' ? `the code timed out after ${Math.round(r.durationMs)} ms`
    : r.status === 'memory_limit' ? 'the code ran out of memory'
    : r.status === 'output_limit' ? 'the code printed too much output'
    : `the run ended with status ${r.status}`;
  const logs = r.stdout ? `Execution logs:\n${cut(r.stdout)}\n` : '';
  return `Observation: ${logs}Error: ${why}`;
}
