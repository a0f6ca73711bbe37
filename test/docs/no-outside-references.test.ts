// Comments and docs stand on their own: no pointers to issue numbers or to notes outside the repository.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PATTERNS: [RegExp, string][] = [
  [/\bissues?\s*#?\d+\b/i, 'an issue number'],
  [/\(issue\b/i, 'an issue'],
  [/\b[\w-]+-anchors\.md\b/, 'a note outside the repository'],
  [/\.\.\/\.\.\/shared\b|\bshared reference\b|\/work\//, 'a path outside the repository'],
];

describe('repository text', () => {
  it('points at no issue number and no note outside the repository', () => {
    const files = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter((f) => /\.(ts|mjs|js|py|md|ya?ml|sh|json)$/.test(f) && !f.endsWith('package-lock.json') && f !== 'test/docs/no-outside-references.test.ts');
    assert.ok(files.length > 100, `only ${files.length} files`);
    const found: string[] = [];
    for (const f of files) {
      let text: string;
      try {
        text = readFileSync(join(ROOT, f), 'utf8');
      } catch {
        continue; // deleted in the working tree
      }
      text.split('\n').forEach((line, i) => {
        for (const [re, what] of PATTERNS) if (re.test(line)) found.push(`${f}:${i + 1}: ${what}: ${line.trim().slice(0, 100)}`);
      });
    }
    assert.deepEqual(found, []);
  });
});
