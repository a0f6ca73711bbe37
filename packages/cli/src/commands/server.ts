// `molrl server`: PLACEHOLDER until its issue lands (replace this whole file).
import type { Command } from 'commander';

export function registerServer(program: Command): void {
  program.command('server').description('(not built yet)').action(() => {
    process.stderr.write('molrl server: not built yet\n');
    process.exitCode = 1;
  });
}
