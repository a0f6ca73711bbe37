// Schema pieces shared by the job config and the phase definitions.
import { protocolSchemas } from '@molrl/policy-client';

/** An integer property with a minimum, a description and an optional default. */
export const int = (minimum: number, description: string, fallback?: number) => ({ type: 'integer', minimum, description, ...(fallback === undefined ? {} : { default: fallback }) });

/** `schema` without its `default`s (deep): a job config leaves unset what the server fills in. */
function withoutDefaults(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withoutDefaults);
  if (!schema || typeof schema !== 'object') return schema;
  return Object.fromEntries(Object.entries(schema).filter(([k]) => k !== 'default').map(([k, v]) => [k, withoutDefaults(v)]));
}

/**
 * Sampling parameters of /v1/generate: the policy protocol's own schema (generate-request.json), so that a
 * config accepts exactly what the server accepts.
 */
export const samplingSchema = {
  ...(withoutDefaults((protocolSchemas()['generate-request'] as { properties: { sampling: object } }).properties.sampling) as object),
  default: {},
};
