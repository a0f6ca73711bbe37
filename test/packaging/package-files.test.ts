// Each workspace package's `files` names only what exists: its build output (tsconfig outDir) or a folder in the checkout.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('package.json files', () => {
  it('lists only folders that exist (dist: the package builds into it)', () => {
    const patterns = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { workspaces: string[] }).workspaces;
    const dirs = patterns.flatMap((p) => (p.endsWith('/*') ? readdirSync(join(ROOT, p.slice(0, -2))).map((d) => `${p.slice(0, -2)}/${d}`) : [p])).filter((d) => existsSync(join(ROOT, d, 'package.json')));
    assert.ok(dirs.length >= 8, dirs.join(', '));
    const problems: string[] = [];
    for (const dir of dirs) {
      const files = (JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8')) as { files?: string[] }).files ?? [];
      const outDir = existsSync(join(ROOT, dir, 'tsconfig.json')) ? (JSON.parse(readFileSync(join(ROOT, dir, 'tsconfig.json'), 'utf8')) as { compilerOptions?: { outDir?: string } }).compilerOptions?.outDir : undefined;
      for (const f of files) {
        const built = outDir !== undefined && f === outDir.replace(/^\.\//, '');
        if (!built && !existsSync(join(ROOT, dir, f))) problems.push(`${dir}/package.json files: "${f}" does not exist`);
      }
    }
    assert.deepEqual(problems, []);
  });
});
