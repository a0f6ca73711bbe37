// JSON schemas of OpenRLHF's remote reward protocol: POST /get_reward { query, prompts, labels } -> { rewards, scores, extra_logs }.

/** Request body of POST /get_reward (OpenRLHF sends one sample per request, many requests at once). */
export const getRewardRequestSchema = {
  type: 'object',
  required: ['query'],
  properties: {
    query: { type: 'array', items: { type: 'string' }, minItems: 1, description: 'prompt + response, as OpenRLHF decodes it' },
    prompts: { type: 'array', items: { type: 'string' }, description: 'the prompts; completion = query minus its prompt' },
    labels: { type: 'array', description: "ground truths (the dataset's label column), one per query" },
  },
} as const;

/** Answer of POST /get_reward. */
export const getRewardResponseSchema = {
  type: 'object',
  required: ['rewards', 'scores', 'extra_logs'],
  properties: {
    rewards: { type: 'array', items: { type: 'number' }, description: 'total reward per query (weighted sum of the plugins)' },
    scores: { type: 'array', items: { type: 'number' }, description: 'the same values (OpenRLHF uses them for dynamic filtering)' },
    extra_logs: {
      type: 'object',
      additionalProperties: { type: 'array', items: { type: 'number' } },
      description: "per query: each plugin's score (`plugin`) and components (`plugin.component`); `abstained` is 1 where every plugin abstained (reward 0)",
    },
  },
} as const;

/** The request after validation. */
export interface GetRewardRequest {
  query: string[];
  prompts?: string[];
  labels?: unknown[];
}

/** The answer. */
export interface GetRewardResponse {
  rewards: number[];
  scores: number[];
  extra_logs: Record<string, number[]>;
}
