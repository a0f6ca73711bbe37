// Every @molrl package a package's sources name (import, dynamic import, or a package name handed to one) is a
// declared dependency, and the declared graph has no cycle: an npm install resolves what the workspace links hide.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface Pkg {
  dir: string;
  name: string;
  deps: Set<string>;
  named: Map<string, string>; // @molrl package named in the sources -> first file naming it
}

function packages(): Pkg[] {
  const patterns = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { workspaces: string[] }).workspaces;
  const dirs = patterns.flatMap((p) => (p.endsWith('/*') ? readdirSync(join(ROOT, p.slice(0, -2))).map((d) => `${p.slice(0, -2)}/${d}`) : [p])).filter((d) => existsSync(join(ROOT, d, 'package.json')));
  return dirs.map((dir) => {
    const manifest = JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8')) as { name: string; dependencies?: Record<string, string> };
    const named = new Map<string, string>();
    const src = join(ROOT, dir, 'src');
    const files = existsSync(src) ? readdirSync(src, { recursive: true }).map(String).filter((f) => f.endsWith('.ts')) : [];
    for (const f of files) {
      for (const m of readFileSync(join(src, f), 'utf8').matchAll(/['"](@molrl\/[a-z0-9-]+)['"/]/g)) if (!named.has(m[1])) named.set(m[1], `${dir}/src/${f}`);
    }
    return { dir, name: manifest.name, deps: new Set(Object.keys(manifest.dependencies ?? {}).filter((d) => d.startsWith('@molrl/'))), named };
  });
}

describe('workspace package dependencies', () => {
  const all = packages();

  it('finds the workspace packages', () => {
    for (const name of ['@molrl/common', '@molrl/core', '@molrl/plugins', '@molrl/cli', '@molrl/plugin-format']) assert.ok(all.some((p) => p.name === name), name);
  });

  it('declares every @molrl package the sources name', () => {
    const undeclared = all.flatMap((p) => [...p.named].filter(([dep]) => dep !== p.name && !p.deps.has(dep)).map(([dep, file]) => `${p.name} names ${dep} (${file}) without depending on it`));
    assert.deepEqual(undeclared, []);
  });

  it('has no dependency cycle', () => {
    const byName = new Map(all.map((p) => [p.name, p]));
    const state = new Map<string, 'open' | 'done'>();
    const cycles: string[] = [];
    const visit = (name: string, path: string[]) => {
      if (state.get(name) === 'done') return;
      if (state.get(name) === 'open') {
        cycles.push([...path.slice(path.indexOf(name)), name].join(' -> '));
        return;
      }
      state.set(name, 'open');
      for (const d of byName.get(name)?.deps ?? []) visit(d, [...path, name]);
      state.set(name, 'done');
    };
    for (const p of all) visit(p.name, []);
    assert.deepEqual(cycles, []);
  });

  it('keeps @molrl/core free of the built-in plugins (they depend on it): @molrl/plugins lists them', () => {
    const core = all.find((p) => p.name === '@molrl/core')!;
    assert.deepEqual([...core.named.keys()].filter((n) => n.startsWith('@molrl/plugin')), []);
  });
});
