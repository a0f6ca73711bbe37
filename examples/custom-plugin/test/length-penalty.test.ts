// The example plugin, loaded by relative path as a user's config would, and checked with RewardTester.
import { ok, strictEqual } from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RewardTester, createRewardEngine, loadPlugin } from '@molrl/core';
import { builtinPlugins } from '@molrl/plugins';
import plugin from '../src/index.ts';

const here = dirname(fileURLToPath(import.meta.url));

RewardTester.run('example:length-penalty', plugin, {
  valid: [
    { name: 'gives 0 within the budget', sample: { completion: 'x'.repeat(100) }, expected: { score: 0, components: { chars: 100 } } },
    { name: 'penalises linearly past softChars', sample: { completion: 'x'.repeat(1750) }, expected: { score: -0.5 } },
    { name: 'caps the penalty at maxChars', sample: { completion: 'x'.repeat(5000) }, expected: { score: -1 } },
    { name: 'uses its options', sample: { completion: 'x'.repeat(15) }, options: { softChars: 10, maxChars: 20, penalty: 2 }, expected: { score: -1 } },
  ],
  invalid: [
    { options: { penalty: -1 }, errors: [{ code: 'PLUGIN_OPTIONS_INVALID', path: 'options.penalty' }] },
    { options: { maxLength: 10 }, errors: [{ code: 'PLUGIN_OPTIONS_INVALID', path: 'options.maxLength' }] },
  ],
});

describe('example:length-penalty loaded by path', () => {
  it('loads from a relative path like a config entry', async () => {
    const loaded = await loadPlugin('./src/index.ts', { baseDir: join(here, '..') });
    strictEqual(loaded.plugin.name, 'example:length-penalty');
  });

  it('combines with a built-in reward in one engine', async () => {
    const engine = await createRewardEngine(
      { rewards: [{ plugin: './src/index.ts', weight: 0.5, options: { softChars: 5, maxChars: 10 } }, { plugin: 'reward:format', options: { requireThink: true } }] },
      { workers: false, retries: 0, baseDir: join(here, '..'), builtins: builtinPlugins },
    );
    try {
      const scored = await engine.score({ id: 'a', completion: '<think>long reasoning</think> ok', metadata: {} });
      strictEqual(scored.rewards['example:length-penalty'].score, -1);
      strictEqual(scored.rewards['reward:format'].score, 1);
      ok(typeof scored.score === 'number');
    } finally {
      await engine.close();
    }
  });
});
