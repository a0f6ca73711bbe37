// The protocol's JSON Schemas (packages/policy-client/schemas) and their validators, compiled once.
import { createAjv } from '@molrl/common';
import type { ValidateFunction } from 'ajv';
import { readFileSync } from 'node:fs';

/** Names of the protocol schemas, one file `schemas/<name>.json` each. */
export const schemaNames = [
  'checkpoint-request',
  'checkpoint-response',
  'error',
  'generate-request',
  'generate-response',
  'generate-stream-line',
  'health-response',
  'phase-start-request',
  'phase-start-response',
  'train-mol-request',
  'train-mol-response',
  'train-policy-request',
  'train-policy-response',
] as const;

/** One protocol schema name. */
export type SchemaName = (typeof schemaNames)[number];

/** Absolute directory of the schema files (works from src/ and dist/). */
export const schemaDir = new URL('../schemas/', import.meta.url);

let loaded: Record<SchemaName, object> | undefined;

/** The protocol schemas as parsed JSON, keyed by name (the same objects on every call). */
export function protocolSchemas(): Readonly<Record<SchemaName, object>> {
  if (!loaded) {
    const out = {} as Record<SchemaName, object>;
    for (const name of schemaNames) out[name] = JSON.parse(readFileSync(new URL(`${name}.json`, schemaDir), 'utf8')) as object;
    loaded = out;
  }
  return loaded;
}

let requestAjv: ReturnType<typeof createAjv> | undefined;
let responseAjv: ReturnType<typeof createAjv> | undefined;
const cache = new Map<string, ValidateFunction>();

/**
 * The compiled validator of a schema. Request validators apply the documented defaults (validate a copy);
 * response validators never change the data.
 */
export function validatorFor(name: SchemaName): ValidateFunction {
  const requestSide = name.endsWith('-request');
  const key = `${requestSide ? 'req' : 'res'}:${name}`;
  let validate = cache.get(key);
  if (!validate) {
    const ajv = requestSide ? (requestAjv ??= createAjv({ useDefaults: true })) : (responseAjv ??= createAjv({ useDefaults: false }));
    validate = ajv.compile(protocolSchemas()[name]);
    cache.set(key, validate);
  }
  return validate;
}
