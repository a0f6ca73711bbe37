import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { loadRewardPlugins } from '../../src/index.ts';
import { rejection } from '../../../../test/helpers/assertions.ts';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));

describe('loadRewardPlugins', () => {
  it('loads built-in plugins with defaulted, frozen options and numbers repeated names', async () => {
    const configured = await loadRewardPlugins(
      [{ plugin: 'reward:format' }, { plugin: 'reward:format', weight: 0.5, options: { requireCodeBlock: true } }],
      'docker',
      fixtures,
    );
    assert.deepEqual(configured.map((c) => [c.name, c.weight]), [['reward:format', 1], ['reward:format#2', 0.5]]);
    assert.equal(configured[1].options.requireCodeBlock, true);
    assert.ok(Object.isFrozen(configured[1].options));
  });

  it('reports every bad reward at once as CONFIG_INVALID, each with its own code and path', async () => {
    const error = await rejection<{ code: string; details: { errors: { code: string; path: string }[] } }>(
      loadRewardPlugins([{ plugin: 'reward:nope' }, { plugin: 'reward:code-execution', options: { timeoutMs: 120000 } }], 'docker', fixtures),
    );
    assert.equal(error.code, 'CONFIG_INVALID');
    assert.deepEqual(error.details.errors.map((e) => [e.code, e.path]), [
      ['PLUGIN_NOT_FOUND', 'rewards[0].plugin'],
      ['PLUGIN_OPTIONS_INVALID', 'rewards[1].options.timeoutMs'],
    ]);
  });

  it('throws the single error itself when only one reward is bad', async () => {
    const error = await rejection<{ code: string; path: string }>(loadRewardPlugins([{ plugin: 'reward:code-execution' }], 'isolated-vm', fixtures));
    assert.equal(error.code, 'PLUGIN_DEPENDENCY_MISSING');
    assert.equal(error.path, 'rewards[0].plugin');
  });
});
