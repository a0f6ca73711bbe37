// Tests of the core error catalogue: sorted keys, each factory produces its own code.
import { deepStrictEqual, strictEqual } from 'node:assert/strict';
import { errors } from '@molrl/core';

/** Arguments for factories that need a particular shape; the others get ('a', ['b'], 'c', 'd'). */
const ARGS: Record<string, unknown[]> = {
  PLUGIN_ERROR_LIMIT: [10, 11, [{ plugin: 'p', hook: 'score', sampleId: 's', code: 'PLUGIN_HOOK_FAILED', message: 'm' }]],
  TRAIN_SERVER_FAILED: ['runs/x', '/v1/train/policy', new Error('boom')],
};

describe('errors', () => {
  it('is sorted by code', () => {
    deepStrictEqual(Object.keys(errors), Object.keys(errors).sort());
  });

  for (const [key, make] of Object.entries(errors)) {
    it(`${key} produces code ${key}`, () => {
      strictEqual((make as (...a: unknown[]) => { code: string })(...(ARGS[key] ?? ['a', ['b'], 'c', 'd'])).code, key);
    });
  }
});
