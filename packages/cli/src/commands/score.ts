// `molrl score`: PLACEHOLDER until its issue lands (replace this whole file).
import type { Command } from 'commander';

export function registerScore(program: Command): void {
  program.command('score').description('(not built yet)').action(() => {
    process.stderr.write('molrl score: not built yet\n');
    process.exitCode = 1;
  });
}
