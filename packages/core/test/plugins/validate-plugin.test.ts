// Tests of validatePlugin and checkRequirements: shape, closed key set, apiVersion, sandbox requirements.
import { doesNotThrow, throws } from 'node:assert/strict';
import { checkRequirements, validatePlugin } from '@molrl/core';

const base = { name: 'test:x', version: '1.0.0', apiVersion: '^1', description: 'd', optionsSchema: false, score: () => 1 };

describe('validatePlugin', () => {
  it('accepts a complete plugin', () => {
    doesNotThrow(() => validatePlugin(base, 'rewards[0].plugin'));
  });

  it('refuses unknown keys such as a misspelt hook with PLUGIN_INVALID naming the plugin and path', () => {
    throws(() => validatePlugin({ ...base, scores: () => 1 }, 'rewards[2].plugin'), { code: 'PLUGIN_INVALID', plugin: 'test:x', path: 'rewards[2].plugin' });
  });

  it('refuses a plugin without score or required metadata', () => {
    const { score: _s, ...noScore } = base;
    throws(() => validatePlugin(noScore, 'p'), { code: 'PLUGIN_INVALID' });
    throws(() => validatePlugin({ ...base, version: 'one' }, 'p'), { code: 'PLUGIN_INVALID' });
    throws(() => validatePlugin(null, 'p'), { code: 'PLUGIN_INVALID' });
  });

  it('refuses an incompatible apiVersion with PLUGIN_VERSION_MISMATCH', () => {
    throws(() => validatePlugin({ ...base, apiVersion: '^2' }, 'rewards[0].plugin'), { code: 'PLUGIN_VERSION_MISMATCH', path: 'rewards[0].plugin' });
  });
});

describe('checkRequirements', () => {
  it('refuses a backend the plugin does not support with PLUGIN_DEPENDENCY_MISSING', () => {
    const plugin = validatePlugin({ ...base, requires: { sandbox: ['docker'] } }, 'p');
    throws(() => checkRequirements(plugin, 'isolated-vm', 'rewards[0].plugin'), { code: 'PLUGIN_DEPENDENCY_MISSING', path: 'rewards[0].plugin' });
    doesNotThrow(() => checkRequirements(plugin, 'docker', 'rewards[0].plugin'));
  });
});
