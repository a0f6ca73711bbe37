// Tests of the core error catalogue: sorted keys, each factory produces its own code.
import { deepStrictEqual, strictEqual } from 'node:assert/strict';
import { errors } from '@molrl/core';

describe('errors', () => {
  it('is sorted by code', () => {
    deepStrictEqual(Object.keys(errors), Object.keys(errors).sort());
  });

  for (const [key, make] of Object.entries(errors)) {
    it(`${key} produces code ${key}`, () => {
      strictEqual((make as (...a: unknown[]) => { code: string })('a', ['b'], 'c', 'd').code, key);
    });
  }
});
