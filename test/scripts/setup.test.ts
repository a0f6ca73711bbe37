// scripts/setup.sh on a machine whose Node is older than 22: it installs Node 24 and says so.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const OLD_NODES = ['/usr/bin/node', '/usr/local/bin/node20'];

function findOldNode(): string | null {
  for (const candidate of OLD_NODES) {
    if (!existsSync(candidate)) continue;
    const major = Number(execFileSync(candidate, ['-p', 'process.versions.node.split(".")[0]']).toString().trim());
    if (major < 22) return candidate;
  }
  return null;
}

describe('scripts/setup.sh', () => {
  it('installs Node 24 from the npm registry when started by an older Node', function () {
    this.timeout(180_000);
    const oldNode = findOldNode();
    if (!oldNode) {
      process.stderr.write(`\n  !!! SKIPPED setup Node-upgrade test: no Node older than 22 at ${OLD_NODES.join(' or ')}\n`);
      this.skip();
    }
    const dir = mkdtempSync(join(tmpdir(), 'molrl-setup-'));
    try {
      const shim = join(dir, 'shim');
      mkdirSync(shim);
      symlinkSync(oldNode!, join(shim, 'node'));
      const prefix = join(dir, 'node24');
      const result = spawnSync('bash', ['scripts/setup.sh'], {
        env: { ...process.env, PATH: `${shim}:${process.env.PATH}`, MOLRL_SETUP_ONLY: 'node', MOLRL_NODE_PREFIX: prefix },
        encoding: 'utf8',
      });
      assert.equal(result.status, 0, result.stderr);
      assert.match(result.stdout, /older than 22: installing Node 24/);
      const installed = execFileSync(join(prefix, 'bin', 'node'), ['--version']).toString().trim();
      assert.match(installed, /^v24\./);
      assert.match(result.stdout, new RegExp(`installed Node ${installed.replace(/\./g, '\\.')}`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('leaves a recent Node alone', function () {
    const result = spawnSync('bash', ['scripts/setup.sh'], {
      env: { ...process.env, MOLRL_SETUP_ONLY: 'node', MOLRL_NODE_PREFIX: join(tmpdir(), 'molrl-never-used') },
      encoding: 'utf8',
    });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /is recent enough/);
    assert.equal(existsSync(join(tmpdir(), 'molrl-never-used')), false);
  });

  it('takes --languages python|all, prints --help, and exits 2 on a bad flag before doing anything', function () {
    const run = (...args: string[]) => spawnSync('bash', ['scripts/setup.sh', ...args], { env: { ...process.env, MOLRL_SETUP_ONLY: 'node' }, encoding: 'utf8' });
    const help = run('--help');
    assert.equal(help.status, 0);
    assert.match(help.stdout, /--languages all +also build the multi-language sandbox image/);
    for (const args of [['--languages', 'cobol'], ['--languages'], ['--frobnicate']]) {
      const bad = run(...args);
      assert.equal(bad.status, 2, args.join(' '));
      assert.match(bad.stderr, /molrl setup: .*(python or all|python\|all)/);
      assert.doesNotMatch(bad.stdout, /recent enough/);
    }
    assert.equal(run('--languages', 'all').status, 0);
    assert.equal(run('--languages=python').status, 0);
  });
});

