// `molrl sandbox`: PLACEHOLDER until its issue lands (replace this whole file).
import type { Command } from 'commander';

export function registerSandbox(program: Command): void {
  program.command('sandbox').description('(not built yet)').action(() => {
    process.stderr.write('molrl sandbox: not built yet\n');
    process.exitCode = 1;
  });
}
