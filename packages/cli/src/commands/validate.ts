// `molrl validate FILE`: checks a job config against the published schema; prints every problem with its path.
// Exit codes: 0 valid; 2 invalid or unreadable.
import { isMolrlError } from '@molrl/common';
import { loadJobConfig } from '@molrl/core';
import type { Command } from 'commander';
import { EXIT_OK, EXIT_USAGE } from '../exit-codes.ts';
import { reportError } from '../report-error.ts';

/** Validates `file`; returns the exit code. */
export function runValidate(file: string, json: boolean): number {
  try {
    const config = loadJobConfig(file);
    if (json) process.stdout.write(JSON.stringify({ valid: true, file, config }) + '\n');
    else process.stdout.write(`${file}: valid (${config.phases.length} phase(s): ${config.phases.map((p) => p.type).join(' -> ')})\n`);
    return EXIT_OK;
  } catch (error) {
    if (!isMolrlError(error)) throw error;
    const problems = (error.details?.problems as string[] | undefined) ?? [error.message];
    if (json) {
      process.stdout.write(JSON.stringify({ valid: false, file, code: error.code, problems }) + '\n');
      return EXIT_USAGE;
    }
    if (error.code !== 'CONFIG_INVALID') return reportError(error, false);
    process.stderr.write(`${file}: invalid (${problems.length} problem${problems.length === 1 ? '' : 's'})\n${problems.map((p) => `  ${p}\n`).join('')}`);
    return EXIT_USAGE;
  }
}

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('check a job config (JSON or YAML) against the schema; prints every problem with its path (exit 2 when invalid)')
    .argument('<file>', 'job config file')
    .option('--json', 'print the result as JSON')
    .action((file: string, flags: { json?: boolean }) => {
      process.exitCode = runValidate(file, flags.json === true);
    });
}
