// An example third-party reward plugin: a soft length penalty (0 up to softChars, linear down to -penalty at maxChars).
import { definePlugin } from '@molrl/core/plugin';

/** Options of length-penalty. */
export interface LengthPenaltyOptions {
  /** Completions up to this many characters get 0. */
  softChars: number;
  /** From here on the penalty is full. */
  maxChars: number;
  /** Size of the full penalty (the score is -penalty). */
  penalty: number;
}

export const defaultOptions: LengthPenaltyOptions = { softChars: 1500, maxChars: 2000, penalty: 1 };

export const optionsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    softChars: { type: 'integer', minimum: 0, default: defaultOptions.softChars },
    maxChars: { type: 'integer', minimum: 1, default: defaultOptions.maxChars },
    penalty: { type: 'number', minimum: 0, default: defaultOptions.penalty },
  },
} as const;

export default definePlugin<LengthPenaltyOptions>({
  name: 'example:length-penalty',
  version: '0.1.0',
  apiVersion: '^1',
  description: 'Soft overlong penalty: 0 up to softChars, linear to -penalty at maxChars.',
  optionsSchema,
  defaultOptions,
  setup(ctx) {
    if (ctx.options.maxChars <= ctx.options.softChars) {
      throw new Error(`maxChars (${ctx.options.maxChars}) must be greater than softChars (${ctx.options.softChars})`);
    }
  },
  score(sample, ctx) {
    const { softChars, maxChars, penalty } = ctx.options;
    const chars = sample.completion.length;
    const over = Math.min(1, Math.max(0, chars - softChars) / (maxChars - softChars));
    return { score: -penalty * over, components: { chars }, reason: over === 0 ? 'within budget' : `${chars - softChars} characters over ${softChars}` };
  },
});
