// Schema pieces shared by the job config and the phase definitions.

/** An integer property with a minimum, a description and an optional default. */
export const int = (minimum: number, description: string, fallback?: number) => ({ type: 'integer', minimum, description, ...(fallback === undefined ? {} : { default: fallback }) });

/** Sampling parameters of /v1/generate. */
export const samplingSchema = {
  type: 'object',
  additionalProperties: false,
  default: {},
  properties: {
    temperature: { type: 'number', minimum: 0, description: 'softmax temperature; 0 = greedy' },
    topP: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
    topK: { type: 'integer', minimum: 0 },
    presencePenalty: { type: 'number', minimum: -2, maximum: 2 },
    maxTokens: { type: 'integer', minimum: 1, description: 'most new tokens per completion' },
    stop: { type: 'array', items: { type: 'string' } },
  },
};
