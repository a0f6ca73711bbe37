// reward:code-execution — the MoL-RL reward: 0.1 parses, 0.4 executes, 1.0 output (tests, or every io case) correct; or binary.
import { definePlugin } from '@molrl/core/plugin';
import { defaultOptions, optionsSchema, type CodeExecutionOptions } from './options-schema.ts';
import { scoreCode } from './score-code.ts';

export { extractCode, languageOf, LANGUAGE_TAGS } from './extract-code.ts';
export { ioCasesOf, parseIoCases, type IoCase } from './io-cases.ts';
export { outputMatches } from './compare-output.ts';
export { buildHarness } from './python-harness.ts';
export { defaultOptions, optionsSchema, type CodeExecutionOptions } from './options-schema.ts';

export default definePlugin<CodeExecutionOptions>({
  name: 'reward:code-execution',
  version: '0.1.0',
  apiVersion: '^1',
  description: 'Runs the last fenced code block in the sandbox (Python, or any sandbox language in mode io): multi-value (0.1 parses / 0.4 executes / 1.0 correct) or binary.',
  optionsSchema,
  defaultOptions,
  requires: { sandbox: ['docker', 'process'] },
  score: scoreCode,
});
