// Options of reward:math-answer: the TypeScript type, the defaults, and the JSON Schema (additionalProperties: false).

/** Options of reward:math-answer (see README.md for the table). */
export interface MathAnswerOptions {
  /** How the extracted answer is compared with groundTruth. */
  compare: 'exact' | 'numeric' | 'symbolic';
  /** A regular expression whose first capture group is the answer (the last match wins); null: the last \boxed{...}. */
  pattern: string | null;
  /** Absolute tolerance of numeric comparison (relative to |truth| when that is above 1). */
  numericTolerance: number;
  /** Score of a correct answer. */
  correctScore: number;
  /** Score of a wrong answer. */
  incorrectScore: number;
  /** What a completion without an answer gets: 'incorrect' (incorrectScore) or 'abstain' (excluded from its group). */
  noAnswer: 'incorrect' | 'abstain';
  /** Sandbox limits of the sympy check (compare: 'symbolic'). */
  timeoutMs: number;
  memoryMb: number;
}

/** Defaults, merged under the user's options. */
export const defaultOptions: MathAnswerOptions = {
  compare: 'numeric',
  pattern: null,
  numericTolerance: 1e-6,
  correctScore: 1,
  incorrectScore: 0,
  noAnswer: 'incorrect',
  timeoutMs: 5_000,
  memoryMb: 512,
};

/** JSON Schema of the options; defaults are applied by the host before validation. */
export const optionsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    compare: { enum: ['exact', 'numeric', 'symbolic'], default: defaultOptions.compare },
    pattern: { type: ['string', 'null'], minLength: 1, default: defaultOptions.pattern },
    numericTolerance: { type: 'number', minimum: 0, default: defaultOptions.numericTolerance },
    correctScore: { type: 'number', default: defaultOptions.correctScore },
    incorrectScore: { type: 'number', default: defaultOptions.incorrectScore },
    noAnswer: { enum: ['incorrect', 'abstain'], default: defaultOptions.noAnswer },
    timeoutMs: { type: 'integer', minimum: 100, maximum: 60_000, default: defaultOptions.timeoutMs },
    memoryMb: { type: 'integer', minimum: 64, maximum: 8192, default: defaultOptions.memoryMb },
  },
} as const;
