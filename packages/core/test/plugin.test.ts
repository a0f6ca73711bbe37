import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import * as core from '@molrl/core';
import * as plugin from '@molrl/core/plugin';

const exec = promisify(execFile);

describe('@molrl/core/plugin (the plugin entry point)', () => {
  it('exports the same objects as the main entry', () => {
    const names = Object.keys(plugin);
    assert.ok(names.includes('definePlugin') && names.includes('infraError') && names.includes('numbersEqual'), names.join(', '));
    for (const name of names) assert.equal((plugin as Record<string, unknown>)[name], (core as Record<string, unknown>)[name], name);
  });

  it('loads neither the policy client nor the trainer nor the run store', async () => {
    // A resolve hook in a fresh process records every module the import loads.
    const script = `
      import { registerHooks } from 'node:module';
      const seen = [];
      registerHooks({ resolve(spec, ctx, next) { const r = next(spec, ctx); seen.push(r.url); return r; } });
      await import('@molrl/core/plugin');
      console.log(JSON.stringify(seen));`;
    const { stdout } = await exec(process.execPath, ['--conditions=molrl-src', '--disable-warning=ExperimentalWarning', '--input-type=module', '-e', script], {
      cwd: new URL('..', import.meta.url),
    });
    const urls = JSON.parse(stdout) as string[];
    assert.ok(urls.some((u) => u.endsWith('/src/plugins/define-plugin.ts')), 'the hook saw the plugin entry load');
    const heavy = urls.filter((u) => /policy-client|\/trainer\/|\/run-store\/|undici|execa/.test(u));
    assert.deepEqual(heavy, []);
  });
});
