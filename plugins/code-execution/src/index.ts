// reward:code-execution — the MoL-RL reward: 0.1 parses, 0.4 executes, 1.0 output (or tests) correct; or binary.
import { definePlugin } from '@molrl/core';
import { defaultOptions, optionsSchema, type CodeExecutionOptions } from './options-schema.ts';
import { scoreCode } from './score-code.ts';

export { extractCode } from './extract-code.ts';
export { outputMatches } from './compare-output.ts';
export { buildHarness } from './python-harness.ts';
export { defaultOptions, optionsSchema, type CodeExecutionOptions } from './options-schema.ts';

export default definePlugin<CodeExecutionOptions>({
  name: 'reward:code-execution',
  version: '0.1.0',
  apiVersion: '^1',
  description: 'Runs the last fenced Python block in the sandbox: multi-value (0.1 parses / 0.4 executes / 1.0 correct) or binary.',
  optionsSchema,
  defaultOptions,
  requires: { sandbox: ['docker', 'process'] },
  score: scoreCode,
});
