// The built-in catalogue: every entry loads as a valid plugin through @molrl/core, in-process and in worker threads.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createRewardEngine, loadPlugin, loadRewardPlugins } from '@molrl/core';
import { BUILTIN_PLUGINS, builtinPlugins } from '@molrl/plugins';

describe('@molrl/plugins', () => {
  it('resolves every built-in to a module file of its package', () => {
    assert.deepEqual(Object.keys(builtinPlugins), Object.keys(BUILTIN_PLUGINS));
    for (const [name, url] of Object.entries(builtinPlugins)) {
      assert.ok(existsSync(fileURLToPath(url)), `${name}: ${url}`);
      assert.match(url, new RegExp(BUILTIN_PLUGINS[name].replace('@molrl/plugin-', '/')));
    }
  });

  for (const name of Object.keys(BUILTIN_PLUGINS)) {
    it(`loads ${name} by name`, async () => {
      const { plugin, source } = await loadPlugin(name, { builtins: builtinPlugins });
      assert.equal(plugin.name, name);
      assert.equal(source.kind, 'builtin');
    });
  }

  it('gives built-in plugins their defaulted options and reports bad ones with their path', async () => {
    const [format] = await loadRewardPlugins([{ plugin: 'reward:format', options: { requireCodeBlock: true } }], 'docker', undefined, builtinPlugins);
    assert.equal(format.options.requireCodeBlock, true);
    await assert.rejects(loadRewardPlugins([{ plugin: 'reward:code-execution', options: { timeoutMs: 120000 } }], 'docker', undefined, builtinPlugins), {
      code: 'PLUGIN_OPTIONS_INVALID',
      path: 'rewards[0].options.timeoutMs',
    });
  });

  it('scores with a built-in plugin imported again in a worker thread', async () => {
    const engine = await createRewardEngine({ rewards: [{ plugin: 'reward:format' }], sandbox: { backend: 'process' } }, { builtins: builtinPlugins, workers: 1 });
    try {
      const [a, b] = await Promise.all([
        engine.score({ id: 'a', promptId: 'p', prompt: 'x', completion: '<think>hm</think> 4', metadata: {}, step: 0 }),
        engine.score({ id: 'b', promptId: 'p', prompt: 'x', completion: 'just 4', metadata: {}, step: 0 }),
      ]);
      assert.deepEqual([a.status, a.score, b.status, b.score], ['ok', 1, 'ok', 0]);
    } finally {
      await engine.close();
    }
  });
});
