// `molrl traces`: PLACEHOLDER until its issue lands (replace this whole file).
import type { Command } from 'commander';

export function registerTraces(program: Command): void {
  program.command('traces').description('(not built yet)').action(() => {
    process.stderr.write('molrl traces: not built yet\n');
    process.exitCode = 1;
  });
}
