// Entry point of the `molrl` command: builds the commander program and maps errors to exit codes.
import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { registerCommands } from './commands/index.ts';
import { EXIT_FAILURE, EXIT_USAGE } from './exit-codes.ts';
import { reportError } from './report-error.ts';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

/** Builds the program (exported for tests of --help). */
export function createProgram(): Command {
  const program = new Command('molrl')
    .description('reinforcement learning of language models with verifiable rewards')
    .version(pkg.version)
    .showHelpAfterError('(add --help for usage)')
    .exitOverride();
  registerCommands(program);
  for (const cmd of program.commands) cmd.exitOverride();
  return program;
}

/** Runs the CLI; resolves to the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = createProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return 0;
      return error.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    return reportError(error) ?? EXIT_FAILURE;
  }
}
