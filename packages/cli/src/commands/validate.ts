// `molrl validate FILE`: checks a job config against the published schema; prints every problem with its path.
// Beyond the schema it loads the reward plugins (options, sandbox requirements) and checks the data files exist.
// Exit codes: 0 valid; 2 invalid or unreadable.
import type { Command } from 'commander';
import { EXIT_OK, EXIT_USAGE } from '../exit-codes.ts';
import { reportError } from '../report-error.ts';
import { checkJobFile, type JobCheck } from '../validate-job.ts';

/** Validates `file`; returns the exit code. */
export async function runValidate(file: string, json: boolean): Promise<number> {
  let check: JobCheck;
  try {
    check = await checkJobFile(file);
  } catch (error) {
    return reportError(error, json);
  }
  if (!json) for (const w of check.warnings) process.stderr.write(`${file}: warning: ${w}\n`);
  if (check.config) {
    const config = check.config;
    if (json) process.stdout.write(JSON.stringify({ valid: true, file, config, warnings: check.warnings }) + '\n');
    else process.stdout.write(`${file}: valid (${config.phases.length} phase(s): ${config.phases.map((p) => p.type).join(' -> ')})\n`);
    return EXIT_OK;
  }
  const { problems, code } = check;
  if (json) process.stdout.write(JSON.stringify({ valid: false, file, code, problems, warnings: check.warnings }) + '\n');
  else process.stderr.write(`${file}: invalid (${problems.length} problem${problems.length === 1 ? '' : 's'})\n${problems.map((p) => `  ${p}\n`).join('')}`);
  return EXIT_USAGE;
}

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('check a job config (JSON or YAML) against the schema; prints every problem with its path (exit 2 when invalid)')
    .argument('<file>', 'job config file')
    .option('--json', 'print the result as JSON')
    .action(async (file: string, flags: { json?: boolean }) => {
      process.exitCode = await runValidate(file, flags.json === true);
    });
}
