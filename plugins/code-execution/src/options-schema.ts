// Options of reward:code-execution: the TypeScript type, the defaults, and the JSON Schema (additionalProperties: false).

/** Options of reward:code-execution (see README.md for the table). */
export interface CodeExecutionOptions {
  /** 'multi-value' gives 0 / parses / executes / correct; 'binary' gives correct or 0. */
  scheme: 'multi-value' | 'binary';
  /** Scores of the three levels of the multi-value scheme (the paper's 0.1 / 0.4 / 1.0). */
  values: { parses: number; executes: number; correct: number };
  /** 'output': stdout is compared with groundTruth; 'tests': the sample's tests run after the program. */
  mode: 'output' | 'tests';
  /** Language tag of the fenced block (```python and ```py both count for python). */
  language: 'python';
  /** Whether an untagged fence (``` alone) counts as a code block. */
  acceptUntagged: boolean;
  timeoutMs: number;
  memoryMb: number;
  outputLimitBytes: number;
  compare: { trimWhitespace: boolean; numericTolerance: number };
  /** Characters of stdout / of the error kept in `feedback`. */
  feedbackMaxChars: number;
}

/** Defaults, merged under the user's options. */
export const defaultOptions: CodeExecutionOptions = {
  scheme: 'multi-value',
  values: { parses: 0.1, executes: 0.4, correct: 1.0 },
  mode: 'output',
  language: 'python',
  acceptUntagged: true,
  timeoutMs: 10_000,
  memoryMb: 512,
  outputLimitBytes: 65_536,
  compare: { trimWhitespace: true, numericTolerance: 1e-6 },
  feedbackMaxChars: 2_000,
};

const score = { type: 'number', minimum: -1000, maximum: 1000 } as const;

/** JSON Schema of the options; defaults are applied by the host before validation. */
export const optionsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    scheme: { enum: ['multi-value', 'binary'], default: defaultOptions.scheme },
    values: {
      type: 'object',
      additionalProperties: false,
      properties: { parses: score, executes: score, correct: score },
      default: defaultOptions.values,
    },
    mode: { enum: ['output', 'tests'], default: defaultOptions.mode },
    language: { enum: ['python'], default: defaultOptions.language },
    acceptUntagged: { type: 'boolean', default: defaultOptions.acceptUntagged },
    timeoutMs: { type: 'integer', minimum: 100, maximum: 60_000, default: defaultOptions.timeoutMs },
    memoryMb: { type: 'integer', minimum: 32, maximum: 8192, default: defaultOptions.memoryMb },
    outputLimitBytes: { type: 'integer', minimum: 1024, maximum: 16 * 1024 * 1024, default: defaultOptions.outputLimitBytes },
    compare: {
      type: 'object',
      additionalProperties: false,
      properties: {
        trimWhitespace: { type: 'boolean' },
        numericTolerance: { type: 'number', minimum: 0 },
      },
      default: defaultOptions.compare,
    },
    feedbackMaxChars: { type: 'integer', minimum: 100, maximum: 100_000, default: defaultOptions.feedbackMaxChars },
  },
} as const;
