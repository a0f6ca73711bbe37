// Tests of definePlugin: an identity helper.
import { strictEqual } from 'node:assert/strict';
import { definePlugin } from '@molrl/core';

describe('definePlugin', () => {
  it('returns the same object', () => {
    const plugin = { name: 'test:x', version: '1.0.0', apiVersion: '^1', description: 'd', optionsSchema: false as const, score: () => 1 };
    strictEqual(definePlugin(plugin), plugin);
  });
});
