import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { openapiDocument } from '../src/index.ts';

describe('openapiDocument', () => {
  it('equals the published packages/serve/openapi.json (regenerate: molrl serve --print-openapi > packages/serve/openapi.json)', async () => {
    const published = JSON.parse(readFileSync(new URL('../openapi.json', import.meta.url), 'utf8')) as unknown;
    assert.deepEqual(published, await openapiDocument());
  });
});
