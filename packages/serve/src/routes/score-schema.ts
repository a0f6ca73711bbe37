// JSON schemas of the native POST /v1/score: samples in, `molrl score --json` result objects out.

const chatMessage = {
  type: 'object',
  required: ['role', 'content'],
  properties: { role: { type: 'string' }, content: { type: 'string' } },
} as const;

/** Request body of POST /v1/score. */
export const scoreRequestSchema = {
  type: 'object',
  required: ['samples'],
  additionalProperties: false,
  properties: {
    samples: {
      type: 'array',
      minItems: 1,
      maxItems: 100_000,
      items: {
        type: 'object',
        required: ['id', 'completion'],
        additionalProperties: false,
        properties: {
          id: { type: ['string', 'integer'] },
          completion: { type: 'string' },
          prompt: { anyOf: [{ type: 'string' }, { type: 'array', items: chatMessage }] },
          promptId: { type: 'string' },
          groundTruth: { description: 'reference answer, expected output or tests (any JSON)' },
          metadata: { type: 'object', description: 'per-sample data for the plugins (stdin, tests, ...)' },
          step: { type: 'integer' },
        },
      },
    },
  },
} as const;

const rewardResult = {
  type: 'object',
  required: ['score', 'status', 'components', 'reason'],
  properties: {
    score: { type: ['number', 'null'] },
    status: { type: 'string', description: 'ok | abstain | infra_error (and any fault status of the engine)' },
    components: { type: 'object', additionalProperties: { type: 'number' } },
    reason: { type: ['string', 'null'] },
    error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } },
  },
} as const;

/** One result: the object `molrl score --json` prints per sample. */
export const scoredSampleSchema = {
  type: 'object',
  required: ['id', 'score', 'status', 'rewards', 'feedback', 'durationMs'],
  properties: {
    id: { type: 'string' },
    score: { type: ['number', 'null'], description: 'weighted sum; null when every plugin abstained or on infra_error (never 0 for a fault)' },
    status: { type: 'string' },
    rewards: { type: 'object', additionalProperties: rewardResult },
    feedback: { type: ['string', 'null'] },
    durationMs: { type: 'number' },
  },
} as const;

/** Answer of POST /v1/score without streaming (results in input order). */
export const scoreResponseSchema = {
  type: 'object',
  required: ['results'],
  properties: { results: { type: 'array', items: scoredSampleSchema } },
} as const;
