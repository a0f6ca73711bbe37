// The packages as npm publishes them: `npm pack` every workspace package, install the tarballs into a
// directory outside the repository with `npm ci` (from the npm cache, the repo's lockfile pinning every
// third-party package), then load the built-in plugins there through @molrl/plugins, in-process, in a
// worker thread and through the installed `molrl` command. No workspace link can help it resolve.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
type Manifest = { name: string; version: string; dependencies?: Record<string, string>; bin?: Record<string, string>; engines?: Record<string, string>; license?: string };
type LockEntry = { version?: string; resolved?: string; integrity?: string; link?: boolean; dev?: boolean } & Record<string, unknown>;

/** Workspace package manifests with their folders (the root package.json's `workspaces`, globs expanded). */
function workspaces(): { dir: string; manifest: Manifest }[] {
  const patterns = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { workspaces: string[] }).workspaces;
  return patterns.flatMap((p) =>
    (p.endsWith('/*') ? readdirSync(join(ROOT, p.slice(0, -2))).map((d) => `${p.slice(0, -2)}/${d}`) : [p])
      .filter((dir) => {
        try {
          return lstatSync(join(ROOT, dir, 'package.json')).isFile();
        } catch {
          return false;
        }
      })
      .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8')) as Manifest })),
  );
}

const SCRIPT = `
import { createRewardEngine, loadPlugin } from '@molrl/core';
import { BUILTIN_PLUGINS, builtinPlugins } from '@molrl/plugins';
const names = [];
for (const name of Object.keys(BUILTIN_PLUGINS)) names.push((await loadPlugin(name, { builtins: builtinPlugins })).plugin.name);
const engine = await createRewardEngine({ rewards: [{ plugin: 'reward:format' }], sandbox: { backend: 'process' } }, { builtins: builtinPlugins, workers: 1 });
const scored = await engine.score({ id: 'a', promptId: 'p', prompt: 'x', completion: '<think>hm</think> 4', metadata: {}, step: 0 });
await engine.close();
console.log(JSON.stringify({ names, urls: Object.values(builtinPlugins), score: scored.score, status: scored.status }));
`;

describe('npm install of the packed packages (outside the repository)', function () {
  this.timeout(300_000);
  let dir: string;
  before(function () {
    dir = mkdtempSync(join(tmpdir(), 'molrl-npm-install-'));
    execFileSync('npx', ['tsc', '-b'], { cwd: ROOT, stdio: 'inherit' }); // pack what the sources say now
  });
  after(() => dir && rmSync(dir, { recursive: true, force: true }));

  it('installs from the tarballs and loads every built-in plugin through @molrl/plugins', () => {
    const packages = workspaces();
    const tarballs = join(dir, 'tarballs');
    mkdirSync(tarballs);
    execFileSync('npm', ['pack', '--silent', '--pack-destination', tarballs, ...packages.flatMap((p) => ['-w', p.manifest.name])], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    const tgz = (name: string, version: string) => `file:tarballs/${name.replace('@', '').replace('/', '-')}-${version}.tgz`;

    // A project that depends on the command and on the plugin catalogue; its lockfile: our tarballs, and the
    // third-party packages exactly as the repo's lockfile pins them (so npm ci takes them from its cache).
    const project = { name: 'probe', version: '1.0.0', private: true, type: 'module', dependencies: { '@molrl/cli': tgz('@molrl/cli', '0.1.0'), '@molrl/plugins': tgz('@molrl/plugins', '0.1.0') } };
    const repoLock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
    const lockPackages: Record<string, unknown> = { '': { name: project.name, version: project.version, dependencies: project.dependencies } };
    for (const [path, entry] of Object.entries(repoLock.packages)) {
      if (path.startsWith('node_modules/') && !path.startsWith('node_modules/@molrl/') && !entry.link && !entry.dev) lockPackages[path] = entry;
    }
    for (const { manifest } of packages) {
      lockPackages[`node_modules/${manifest.name}`] = { version: manifest.version, resolved: tgz(manifest.name, manifest.version), license: manifest.license, dependencies: manifest.dependencies, ...(manifest.bin ? { bin: manifest.bin } : {}), ...(manifest.engines ? { engines: manifest.engines } : {}) };
    }
    writeFileSync(join(dir, 'package.json'), JSON.stringify(project, null, 2));
    writeFileSync(join(dir, 'package-lock.json'), JSON.stringify({ name: project.name, version: project.version, lockfileVersion: 3, requires: true, packages: lockPackages }, null, 2));
    const ci = spawnSync('npm', ['ci', '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: dir, encoding: 'utf8' });
    assert.equal(ci.status, 0, `npm ci failed:\n${ci.stdout}\n${ci.stderr}`);

    for (const { manifest } of packages) {
      const installed = join(dir, 'node_modules', manifest.name);
      assert.ok(lstatSync(installed).isDirectory() && !lstatSync(installed).isSymbolicLink(), `${manifest.name} is a real copy`);
    }
    const core = JSON.parse(readFileSync(join(dir, 'node_modules/@molrl/core/package.json'), 'utf8')) as Manifest;
    assert.deepEqual(Object.keys(core.dependencies ?? {}).filter((d) => d.startsWith('@molrl/plugin')), [], '@molrl/core depends on no plugin package');

    writeFileSync(join(dir, 'probe.mjs'), SCRIPT);
    const run = spawnSync(process.execPath, ['probe.mjs'], { cwd: dir, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
    assert.equal(run.status, 0, run.stderr);
    const out = JSON.parse(run.stdout) as { names: string[]; urls: string[]; score: number; status: string };
    assert.deepEqual(out.names, ['reward:code-execution', 'reward:format', 'reward:math-answer']);
    for (const url of out.urls) assert.ok(fileURLToPath(url).startsWith(join(dir, 'node_modules')) && url.includes('/dist/'), url);
    assert.deepEqual([out.status, out.score], ['ok', 1]);

    const cli = spawnSync(process.execPath, [join(dir, 'node_modules/@molrl/cli/bin/molrl.js'), 'plugins', 'list', '--json'], { cwd: dir, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
    assert.equal(cli.status, 0, cli.stderr);
    const rows = cli.stdout.trim().split('\n').map((l) => JSON.parse(l) as { name: string; version: string });
    assert.deepEqual(rows.map((r) => [r.name, r.version]), [['reward:code-execution', '0.1.0'], ['reward:format', '0.1.0'], ['reward:math-answer', '0.1.0']]);
  });
});
