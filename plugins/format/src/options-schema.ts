// Options of reward:format: the TypeScript type, the defaults, and the JSON Schema (additionalProperties: false).

/** One user regex check. */
export interface PatternCheck {
  /** Component name in the result. */
  name: string;
  /** JavaScript regular expression source. */
  regex: string;
  /** Regex flags, e.g. 's' or 'im'. @default '' */
  flags?: string;
  /** true: the completion must match; false: it must not. @default true */
  mustMatch?: boolean;
}

/** Options of reward:format (see README.md for the table). */
export interface FormatOptions {
  /** Exactly one `<think>...</think>` block, at the start (after blank space), followed by non-empty text. */
  requireThink: boolean;
  /** The tag name of the reasoning block. */
  thinkTag: string;
  /** When set, exactly one `<answerTag>...</answerTag>` with non-empty content after the reasoning block. */
  answerTag: string | null;
  /** A closed fenced code block must be present (any language, or `codeLanguage`). */
  requireCodeBlock: boolean;
  codeLanguage: string | null;
  /** Extra regex checks, each its own component. */
  patterns: PatternCheck[];
  /** 'all': `score` when every check passes, else `failScore`; 'fraction': failScore + (score - failScore) x passed / total. */
  scoring: 'all' | 'fraction';
  score: number;
  failScore: number;
}

/** Defaults, merged under the user's options. */
export const defaultOptions: FormatOptions = {
  requireThink: true,
  thinkTag: 'think',
  answerTag: null,
  requireCodeBlock: false,
  codeLanguage: null,
  patterns: [],
  scoring: 'all',
  score: 1,
  failScore: 0,
};

/** JSON Schema of the options; defaults are applied by the host before validation. */
export const optionsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    requireThink: { type: 'boolean', default: defaultOptions.requireThink },
    thinkTag: { type: 'string', pattern: '^[A-Za-z][\\w.-]*$', default: defaultOptions.thinkTag },
    answerTag: { type: ['string', 'null'], pattern: '^[A-Za-z][\\w.-]*$', default: defaultOptions.answerTag },
    requireCodeBlock: { type: 'boolean', default: defaultOptions.requireCodeBlock },
    codeLanguage: { type: ['string', 'null'], minLength: 1, default: defaultOptions.codeLanguage },
    patterns: {
      type: 'array',
      default: defaultOptions.patterns,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'regex'],
        properties: {
          name: { type: 'string', pattern: '^[A-Za-z][\\w.-]*$' },
          regex: { type: 'string', minLength: 1 },
          flags: { type: 'string', pattern: '^[dgimsuvy]*$' },
          mustMatch: { type: 'boolean' },
        },
      },
    },
    scoring: { enum: ['all', 'fraction'], default: defaultOptions.scoring },
    score: { type: 'number', default: defaultOptions.score },
    failScore: { type: 'number', default: defaultOptions.failScore },
  },
} as const;
