// The files generated from the protocol schemas are up to date, really follow the schemas, and the OpenAPI
// document is valid OpenAPI 3.1 whose schemas accept exactly what the protocol schemas accept.
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validatorFor, type SchemaName } from '@molrl/policy-client';
import { bundle, generateOpenApi, generateProtocol, OUTPUTS, readSchemas, ROOT, ROUTES, SCHEMA_DIR, staleFiles, typeName } from '../../scripts/generate-protocol.ts';

describe('generate-protocol', () => {
  it('left every generated file up to date (else run npm run build and commit the result)', async () => {
    assert.deepEqual(await staleFiles(), [], 'these files differ from what packages/policy-client/schemas gives: run `npm run build`');
  });

  it('derives the types from the schemas: a field added to a schema appears in the TypeScript types', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'molrl-schemas-'));
    try {
      cpSync(SCHEMA_DIR, dir, { recursive: true });
      const file = join(dir, 'generate-request.json');
      const schema = JSON.parse(readFileSync(file, 'utf8'));
      schema.properties.sampling.properties.minP = { type: 'number', minimum: 0, maximum: 1, description: 'Drop tokens below minP times the top probability.' };
      writeFileSync(file, JSON.stringify(schema));
      const files = await generateProtocol(dir);
      const types = files.get(OUTPUTS.types) ?? '';
      assert.match(types, /Drop tokens below minP times the top probability\.\s*\*\/\s*minP\?: number;/);
      assert.match(files.get(`${OUTPUTS.pythonSchemas}/generate-request.json`) ?? '', /"minP"/);
      const openapi = JSON.parse(files.get(OUTPUTS.openapi) ?? '{}');
      assert.equal(openapi.components.schemas.GenerateRequest.properties.sampling.properties.minP.maximum, 1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names every message and definition once, and refuses refs it cannot bundle', () => {
    const schemas = readSchemas();
    const names = Object.keys(bundle(schemas, '#/definitions/', { titles: true }));
    assert.ok(names.includes('Completion') && names.includes('ServerError') && names.includes('GenerateRequest'), names.join(', '));
    const bad = new Map(schemas);
    bad.set('checkpoint-request', { ...schemas.get('checkpoint-request')!, properties: { path: { $ref: 'http://example.com/x.json' } } });
    assert.throws(() => bundle(bad, '#/definitions/', { titles: true }), /\$ref "http:\/\/example\.com\/x\.json" is not of the form/);
    assert.equal(typeName('error'), 'ServerErrorBody');
    assert.equal(typeName('train-mol-response'), 'TrainMolResponse');
  });

  it('writes a valid OpenAPI 3.1 document with one operation per server route', async () => {
    const doc = JSON.parse(readFileSync(join(ROOT, OUTPUTS.openapi), 'utf8'));
    const validator = new Validator();
    const result = await validator.validate(doc);
    assert.ok(result.valid, JSON.stringify(result.errors, null, 2));
    assert.equal(validator.version, '3.1');
    const operations = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`));
    assert.deepEqual(operations.sort(), [...ROUTES.map((r) => `${r.method} ${r.path}`), 'get /openapi.json'].sort());
  });

  it("gives OpenAPI schemas that accept and refuse the same messages as the protocol's own validators", () => {
    const doc = generateOpenApi(readSchemas()) as { components: { schemas: Record<string, object> } };
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    ajv.addSchema({ $id: 'openapi', components: doc.components } as object);
    const cases: Array<[SchemaName, unknown]> = [
      ['generate-request', { prompts: [{ id: 'a', messages: [{ role: 'user', content: 'hi' }] }], n: 4, sampling: { topP: 0.9 } }],
      ['generate-request', { prompts: [{ id: 'a', text: 'x' }], sampling: { topP: 0 } }],
      ['generate-request', { prompts: [{ id: 'a', text: 'x', messages: [] }] }],
      ['generate-stream-line', { type: 'completion', completion: { promptId: 'p', index: 0, text: '', tokenCount: 0, finishReason: 'eos' } }],
      ['generate-stream-line', { type: 'completion', completion: { promptId: 'p', index: -1, text: '', tokenCount: 0, finishReason: 'eos' } }],
      ['generate-stream-line', { type: 'error', error: { code: 'OUT_OF_MEMORY', message: 'm', path: '' } }],
      ['generate-stream-line', { type: 'error', error: { code: 'lower', message: 'm' } }],
      ['train-policy-request', { rolloutId: 'r', advantages: [1, null], clip: { low: 0.2 } }],
      ['train-policy-request', { rolloutId: 'r', advantages: [] }],
      ['error', { error: { code: 'BAD_REQUEST', message: 'x', details: { limit: 3 } } }],
    ];
    for (const [name, message] of cases) {
      const viaOpenApi = ajv.validate({ $ref: `openapi#/components/schemas/${typeName(name)}` }, structuredClone(message));
      assert.equal(viaOpenApi, validatorFor(name)(structuredClone(message)), `${name}: ${JSON.stringify(message)} ${ajv.errorsText()}`);
    }
  });
});
