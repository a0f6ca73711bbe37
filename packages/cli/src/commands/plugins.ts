// `molrl plugins`: PLACEHOLDER until its issue lands (replace this whole file).
import type { Command } from 'commander';

export function registerPlugins(program: Command): void {
  program.command('plugins').description('(not built yet)').action(() => {
    process.stderr.write('molrl plugins: not built yet\n');
    process.exitCode = 1;
  });
}
