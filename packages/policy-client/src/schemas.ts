// The protocol's JSON Schemas (packages/policy-client/schemas, the one source of the protocol) and their
// validators, compiled once. Schemas refer to each other by file name (`generate-response.json#/definitions/...`).
import { createAjv } from '@molrl/common';
import type { Ajv, ValidateFunction } from 'ajv';
import { readFileSync } from 'node:fs';
import { schemaNames } from './protocol-types.ts';

export { schemaNames };

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

let requestAjv: Ajv | undefined;
let responseAjv: Ajv | undefined;

/** An ajv instance holding every protocol schema, so that cross-file `$ref`s resolve. */
function ajvWith(useDefaults: boolean): Ajv {
  const ajv = createAjv({ useDefaults });
  for (const schema of Object.values(protocolSchemas())) ajv.addSchema(schema);
  return ajv;
}

function schemaId(name: SchemaName): string {
  return (protocolSchemas()[name] as { $id: string }).$id;
}
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
    const ajv = requestSide ? (requestAjv ??= ajvWith(true)) : (responseAjv ??= ajvWith(false));
    validate = ajv.getSchema(schemaId(name));
    if (!validate) throw new Error(`protocol schema ${name} has no $id ${schemaId(name)}`);
    cache.set(key, validate);
  }
  return validate;
}
