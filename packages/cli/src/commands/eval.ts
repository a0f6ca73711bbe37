// `molrl eval`: PLACEHOLDER until its issue lands (replace this whole file).
import type { Command } from 'commander';

export function registerEval(program: Command): void {
  program.command('eval').description('(not built yet)').action(() => {
    process.stderr.write('molrl eval: not built yet\n');
    process.exitCode = 1;
  });
}
