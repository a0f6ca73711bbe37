// `molrl validate`: PLACEHOLDER until its issue lands (replace this whole file).
import type { Command } from 'commander';

export function registerValidate(program: Command): void {
  program.command('validate').description('(not built yet)').action(() => {
    process.stderr.write('molrl validate: not built yet\n');
    process.exitCode = 1;
  });
}
