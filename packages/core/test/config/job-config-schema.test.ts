// The published schema file (packages/core/schemas/job-config.json) must equal the ajv schema object.
import { deepStrictEqual } from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { jobConfigSchema } from '@molrl/core';

describe('job-config.json', () => {
  it('is not stale (regenerate: node --conditions=molrl-src -e "import(\'@molrl/core\').then(m=>console.log(JSON.stringify(m.jobConfigSchema,null,2)))" > packages/core/schemas/job-config.json)', () => {
    const published = JSON.parse(readFileSync(new URL('../../schemas/job-config.json', import.meta.url), 'utf8'));
    deepStrictEqual(published, JSON.parse(JSON.stringify(jobConfigSchema)));
  });
});
