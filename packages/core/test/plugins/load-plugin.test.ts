// Tests of loadPlugin: by path (relative to baseDir), by object, and PLUGIN_NOT_FOUND listing what was tried.
import { deepStrictEqual, ok, rejects, strictEqual } from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { loadPlugin } from '@molrl/core';

const fixtures = fileURLToPath(new URL('../rewards/fixtures/', import.meta.url));

describe('loadPlugin', () => {
  it('loads an ES module by path relative to baseDir', async () => {
    const { plugin, source } = await loadPlugin('./echo-plugin.ts', { baseDir: fixtures });
    strictEqual(plugin.name, 'test:echo');
    strictEqual(source.kind, 'url');
  });

  it('reports PLUGIN_NOT_FOUND with the config path and what was tried', async () => {
    const error = await loadPlugin('./missing.js', { baseDir: fixtures, path: 'rewards[3].plugin' }).catch((e: unknown) => e);
    deepStrictEqual([(error as { code: string }).code, (error as { path: string }).path], ['PLUGIN_NOT_FOUND', 'rewards[3].plugin']);
    ok(((error as { details: { tried: string[] } }).details.tried).length >= 1);
    await rejects(loadPlugin('molrl-no-such-package-xyz', { baseDir: fixtures }), { code: 'PLUGIN_NOT_FOUND' });
    await rejects(loadPlugin('reward:no-such-builtin', { baseDir: fixtures }), { code: 'PLUGIN_NOT_FOUND' });
  });

  it('loads a built-in name from the catalogue it is given, and only from there', async () => {
    const builtins = { 'reward:echo': new URL('../rewards/fixtures/echo-plugin.ts', import.meta.url).href };
    const { plugin, source } = await loadPlugin('reward:echo', { builtins });
    deepStrictEqual([plugin.name, source.kind], ['test:echo', 'builtin']);
    await rejects(loadPlugin('reward:echo', { baseDir: fixtures }), { code: 'PLUGIN_NOT_FOUND' });
  });

  it('refuses a module whose default export is not a plugin with PLUGIN_INVALID', async () => {
    await rejects(loadPlugin('./not-a-plugin.ts', { baseDir: fixtures }), { code: 'PLUGIN_INVALID' });
  });
});
