import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { loadRewardPlugins } from '../../src/index.ts';
import { rejection } from '../../../../test/helpers/assertions.ts';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
// A catalogue of built-ins as @molrl/plugins hands it over (core itself knows no plugin package).
const builtins = { 'reward:echo': new URL('./fixtures/echo-plugin.ts', import.meta.url).href };
const needsDocker = { name: 'test:docker-only', version: '1.0.0', apiVersion: '^1', description: 'needs docker', optionsSchema: false as const, requires: { sandbox: ['docker' as const] }, score: () => 1 };

describe('loadRewardPlugins', () => {
  it('loads built-in plugins from the catalogue with defaulted, frozen options and numbers repeated names', async () => {
    const configured = await loadRewardPlugins([{ plugin: 'reward:echo' }, { plugin: 'reward:echo', weight: 0.5, options: { bonus: 2 } }], 'docker', fixtures, builtins);
    assert.deepEqual(configured.map((c) => [c.name, c.weight]), [['test:echo', 1], ['test:echo#2', 0.5]]);
    assert.deepEqual([configured[0].options.bonus, configured[1].options.bonus], [0, 2]);
    assert.ok(Object.isFrozen(configured[1].options));
    assert.deepEqual(configured[0].loaded.source, { kind: 'builtin', name: 'reward:echo', url: builtins['reward:echo'] });
  });

  it('knows no built-in name without a catalogue, and says where the catalogue comes from', async () => {
    const error = await rejection<{ code: string; details: { tried: string[] } }>(loadRewardPlugins([{ plugin: 'reward:echo' }], 'docker', fixtures));
    assert.equal(error.code, 'PLUGIN_NOT_FOUND');
    assert.ok(error.details.tried.some((t) => t.includes('@molrl/plugins')), JSON.stringify(error.details.tried));
  });

  it('reports every bad reward at once as CONFIG_INVALID, each with its own code and path', async () => {
    const error = await rejection<{ code: string; details: { errors: { code: string; path: string }[] } }>(
      loadRewardPlugins([{ plugin: 'reward:nope' }, { plugin: 'reward:echo', options: { bonus: 11 } }], 'docker', fixtures, builtins),
    );
    assert.equal(error.code, 'CONFIG_INVALID');
    assert.deepEqual(error.details.errors.map((e) => [e.code, e.path]), [
      ['PLUGIN_NOT_FOUND', 'rewards[0].plugin'],
      ['PLUGIN_OPTIONS_INVALID', 'rewards[1].options.bonus'],
    ]);
  });

  it('throws the single error itself when only one reward is bad', async () => {
    const error = await rejection<{ code: string; path: string }>(loadRewardPlugins([{ plugin: needsDocker }], 'isolated-vm', fixtures, builtins));
    assert.equal(error.code, 'PLUGIN_DEPENDENCY_MISSING');
    assert.equal(error.path, 'rewards[0].plugin');
  });
});
