// `molrl train`: PLACEHOLDER until its issue lands (replace this whole file).
import type { Command } from 'commander';

export function registerTrain(program: Command): void {
  program.command('train').description('(not built yet)').action(() => {
    process.stderr.write('molrl train: not built yet\n');
    process.exitCode = 1;
  });
}
