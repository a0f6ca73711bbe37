// Tests of `molrl plugins`: list every built-in, and init a package whose RewardTester test passes.
import { deepStrictEqual, match, strictEqual } from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUILTIN_PLUGINS } from '@molrl/plugins';

const entry = fileURLToPath(new URL('./fixtures/molrl-cli.ts', import.meta.url));
const root = fileURLToPath(new URL('../../../../', import.meta.url));

function node(args: string[], cwd?: string) {
  const r = spawnSync(process.execPath, ['--conditions=molrl-src', '--disable-warning=ExperimentalWarning', ...args], { encoding: 'utf8', cwd });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('molrl plugins', () => {
  it('lists every built-in plugin as JSON', () => {
    const r = node([entry, 'plugins', 'list', '--json']);
    strictEqual(r.code, 0, r.stderr);
    const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { name: string });
    deepStrictEqual(rows.map((x) => x.name), Object.keys(BUILTIN_PLUGINS));
  });

  it('init scaffolds a plugin package whose RewardTester test passes', function () {
    this.timeout(120_000);
    // inside the repository so that the scaffold resolves @molrl/core from the workspace
    const parent = mkdtempSync(join(root, 'packages/cli/test/.tmp-init-'));
    try {
      const dir = join(parent, 'my-check');
      const r = node([entry, 'plugins', 'init', 'reward:my-check', '--dir', dir]);
      strictEqual(r.code, 0, r.stderr);
      for (const f of ['package.json', 'src/index.js', 'README.md', 'test/index.test.js']) strictEqual(existsSync(join(dir, f)), true, f);
      const mocha = join(root, 'node_modules/mocha/bin/mocha.js');
      const t = node([mocha, '--no-config', '--reporter', 'dot', 'test/index.test.js'], dir);
      strictEqual(t.code, 0, t.stdout + t.stderr);
      match(t.stdout, /6 passing/);
      strictEqual(node([entry, 'plugins', 'init', 'reward:my-check', '--dir', dir]).code, 2, 'refuses an existing directory');
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });
});
