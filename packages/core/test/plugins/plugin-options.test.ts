// Tests of resolvePluginOptions: defaults, freezing, every problem with its path.
import { deepStrictEqual, ok, throws } from 'node:assert/strict';
import { resolvePluginOptions, type RewardPlugin } from '@molrl/core';

const plugin = {
  name: 'test:o', version: '1.0.0', apiVersion: '^1', description: 'd', score: () => 1,
  optionsSchema: { type: 'object', additionalProperties: false, properties: { timeoutMs: { type: 'integer', maximum: 60000, default: 1000 }, lang: { enum: ['python', 'javascript'] } } },
  defaultOptions: { lang: 'python' },
} as RewardPlugin;

describe('resolvePluginOptions', () => {
  it('applies defaultOptions and schema defaults and freezes the result', () => {
    const o = resolvePluginOptions(plugin, {}, 'rewards[0].options');
    deepStrictEqual(o, { lang: 'python', timeoutMs: 1000 });
    ok(Object.isFrozen(o));
  });

  it('lists every problem with its config path', () => {
    throws(() => resolvePluginOptions(plugin, { timeoutMs: 120000, timout: 1 }, 'rewards[1].options'), (e: { code: string; details: { errors: { path: string }[] } }) => {
      deepStrictEqual([e.code, e.details.errors.map((x) => x.path).sort()], ['PLUGIN_OPTIONS_INVALID', ['rewards[1].options.timeoutMs', 'rewards[1].options.timout']]);
      return true;
    });
  });

  it('allows no options when the plugin omits optionsSchema', () => {
    const { optionsSchema: _o, ...bare } = plugin;
    throws(() => resolvePluginOptions({ ...bare, defaultOptions: {} } as unknown as RewardPlugin, { x: 1 }, 'options'), { code: 'PLUGIN_OPTIONS_INVALID', path: 'options.x' });
  });
});
