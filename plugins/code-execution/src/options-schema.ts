// Options of reward:code-execution: the TypeScript type, the defaults, and the JSON Schema (additionalProperties: false).
import { DEFAULT_COMPILE_TIMEOUT_MS, LANGUAGE_NAMES, type Language } from '@molrl/sandbox';

/** Options of reward:code-execution (see README.md for the table). */
export interface CodeExecutionOptions {
  /** 'multi-value' gives 0 / parses / executes / correct; 'binary' gives correct or 0. */
  scheme: 'multi-value' | 'binary';
  /** Scores of the three levels of the multi-value scheme (the paper's 0.1 / 0.4 / 1.0). */
  values: { parses: number; executes: number; correct: number };
  /**
   * 'output': stdout is compared with groundTruth; 'tests': the sample's (Python) tests run after the program;
   * 'io': the program runs once per `{ stdin, expected }` case of the sample.
   */
  mode: 'output' | 'tests' | 'io';
  /** Language of the program when the sample has no `metadata.language` (SandboxFusion's names); picks the fence tags. */
  language: Language;
  /** Wall-clock limit of compiling (cpp, c, java, go, rust, typescript), ms. */
  compileTimeoutMs: number;
  /** io mode: stop at the first failing case (the cases after it count as failed). */
  stopOnFirstFailure: boolean;
  /** io mode: cases of one sample in the sandbox at once. */
  caseConcurrency: number;
  /** Whether an untagged fence (``` alone) counts as a code block. */
  acceptUntagged: boolean;
  timeoutMs: number;
  memoryMb: number;
  outputLimitBytes: number;
  /** `tokens`: compare whitespace-separated tokens (any run of spaces and newlines matches any other), each as text or number. */
  compare: { trimWhitespace: boolean; numericTolerance: number; tokens: boolean };
  /** Characters of stdout / of the error kept in `feedback`. */
  feedbackMaxChars: number;
}

/** Defaults, merged under the user's options. */
export const defaultOptions: CodeExecutionOptions = {
  scheme: 'multi-value',
  values: { parses: 0.1, executes: 0.4, correct: 1.0 },
  mode: 'output',
  language: 'python',
  compileTimeoutMs: DEFAULT_COMPILE_TIMEOUT_MS,
  stopOnFirstFailure: true,
  caseConcurrency: 4,
  acceptUntagged: true,
  timeoutMs: 10_000,
  memoryMb: 512,
  outputLimitBytes: 65_536,
  compare: { trimWhitespace: true, numericTolerance: 1e-6, tokens: false },
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
    mode: { enum: ['output', 'tests', 'io'], default: defaultOptions.mode },
    language: { enum: [...LANGUAGE_NAMES], default: defaultOptions.language },
    compileTimeoutMs: { type: 'integer', minimum: 1000, maximum: 600_000, default: defaultOptions.compileTimeoutMs },
    stopOnFirstFailure: { type: 'boolean', default: defaultOptions.stopOnFirstFailure },
    caseConcurrency: { type: 'integer', minimum: 1, maximum: 64, default: defaultOptions.caseConcurrency },
    acceptUntagged: { type: 'boolean', default: defaultOptions.acceptUntagged },
    timeoutMs: { type: 'integer', minimum: 100, maximum: 60_000, default: defaultOptions.timeoutMs },
    memoryMb: { type: 'integer', minimum: 32, maximum: 8192, default: defaultOptions.memoryMb },
    outputLimitBytes: { type: 'integer', minimum: 1024, maximum: 16 * 1024 * 1024, default: defaultOptions.outputLimitBytes },
    compare: {
      type: 'object',
      additionalProperties: false,
      properties: {
        trimWhitespace: { type: 'boolean', default: defaultOptions.compare.trimWhitespace },
        numericTolerance: { type: 'number', minimum: 0, default: defaultOptions.compare.numericTolerance },
        tokens: { type: 'boolean', default: defaultOptions.compare.tokens },
      },
      default: defaultOptions.compare,
    },
    feedbackMaxChars: { type: 'integer', minimum: 100, maximum: 100_000, default: defaultOptions.feedbackMaxChars },
  },
} as const;
