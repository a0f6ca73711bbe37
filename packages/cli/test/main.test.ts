// Every command's --help: it answers (exit 0), and all descriptions share one style, commander's own
// ("display help for command"): they start in lower case (acronyms and names like JSON or MoL aside) and end
// without a period.
import assert from 'node:assert/strict';
import type { Command } from 'commander';
import { createProgram, main } from '../src/main.ts';

/** Every command of the tree with its path (`molrl`, `molrl sandbox`, `molrl sandbox run`, ...). */
function commands(cmd: Command, path: string[] = []): { path: string[]; cmd: Command }[] {
  const here = { path, cmd };
  return [here, ...cmd.commands.filter((c) => c.name() !== 'help').flatMap((c) => commands(c, [...path, c.name()]))];
}

/** What is wrong with one description's style, or null. */
function styleProblem(text: string): string | null {
  if (text.trim() === '') return 'is empty';
  if (/^[A-Z][a-z]+(?=[\s,:;.)]|$)/.test(text)) return 'starts with a capitalised word';
  if (/\.\s*$/.test(text) && !/\.\.\.\s*$/.test(text)) return 'ends with a period';
  return null;
}

describe('molrl --help of every command', () => {
  const all = commands(createProgram());

  it('finds the command tree', () => {
    const names = all.map((c) => c.path.join(' '));
    for (const name of ['', 'sandbox run', 'score', 'plugins list', 'server start', 'validate', 'train', 'eval', 'traces prepare', 'traces collect']) assert.ok(names.includes(name), `molrl ${name} missing from ${names.join(', ')}`);
  });

  it('writes descriptions in one style: lower case first, no closing period', () => {
    const problems: string[] = [];
    for (const { path, cmd } of all) {
      const where = `molrl ${path.join(' ')}`.trim();
      const check = (what: string, text: string | undefined) => {
        const p = styleProblem(text ?? '');
        if (p) problems.push(`${where}: ${what} ${p}: ${JSON.stringify(text)}`);
      };
      check('description', cmd.description());
      for (const o of cmd.options) check(`option ${o.flags}`, o.description);
      for (const a of cmd.registeredArguments) check(`argument ${a.name()}`, a.description);
    }
    assert.deepEqual(problems, []);
  });

  it('answers --help with exit 0 and the usage line of the command, for every command', async () => {
    for (const { path } of all) {
      let out = '';
      const write = process.stdout.write;
      process.stdout.write = ((chunk: string | Uint8Array) => {
        out += String(chunk);
        return true;
      }) as typeof process.stdout.write;
      let code: number;
      try {
        code = await main(['node', 'molrl', ...path, '--help']);
      } finally {
        process.stdout.write = write;
      }
      assert.equal(code, 0, `molrl ${path.join(' ')} --help`);
      assert.ok(out.startsWith(`Usage: molrl${path.length ? ` ${path.join(' ')}` : ''} `), `molrl ${path.join(' ')} --help:\n${out}`);
    }
  });
});
