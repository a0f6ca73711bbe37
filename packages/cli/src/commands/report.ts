// `molrl report RUN... [--out FILE] [--watch]`: one self-contained HTML report of one or more runs (curves overlaid,
// sample browser), or with --watch a live page on 127.0.0.1 that redraws as the runs write.
// Exit codes: 0 written (or the watch ended with Ctrl-C); 2 not a run directory, bad flags or unwritable --out.
import { DEFAULT_MAX_SAMPLES, DEFAULT_MAX_TEXT_CHARS, watchReport, writeReport } from '@molrl/report';
import type { Command } from 'commander';
import { relative } from 'node:path';
import { errors } from '../errors.ts';
import { EXIT_OK } from '../exit-codes.ts';

/** Flags of `molrl report`. */
interface ReportFlags {
  out?: string;
  watch?: boolean;
  port?: string;
  maxSamples?: string;
  maxTextChars?: string;
  title?: string;
  json?: boolean;
}

/** A flag that must be an integer >= `min`. */
function intFlag(flag: string, value: string | undefined, min: number, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw errors.CLI_USAGE(flag, `expected an integer >= ${min}`, value);
  return n;
}

const shown = (p: string) => relative(process.cwd(), p) || p;

/** Runs the command; returns the exit code (resolves only after Ctrl-C with --watch). */
export async function runReport(runs: string[], flags: ReportFlags): Promise<number> {
  const options = {
    maxSamples: intFlag('--max-samples', flags.maxSamples, 0, DEFAULT_MAX_SAMPLES),
    maxTextChars: intFlag('--max-text-chars', flags.maxTextChars, 100, DEFAULT_MAX_TEXT_CHARS),
    ...(flags.title ? { title: flags.title } : {}),
  };
  if (!flags.watch) {
    const written = writeReport(runs, { ...options, ...(flags.out ? { out: flags.out } : {}) });
    if (flags.json) process.stdout.write(JSON.stringify(written) + '\n');
    else {
      for (const r of written.runs) for (const n of r.notes) process.stderr.write(`${r.name}: note: ${n}\n`);
      const held = written.runs.map((r) => (r.samples.kept < r.samples.total ? `${r.name}: ${r.samples.kept} of ${r.samples.total} samples (raise --max-samples for more)` : null)).filter(Boolean);
      process.stdout.write(`report: ${shown(written.out)} (${(written.bytes / 1024).toFixed(0)} KiB; ${written.runs.map((r) => `${r.name}: ${r.status}, step ${r.lastStep}`).join('; ')})${held.length ? `\n  ${held.join('\n  ')}` : ''}\n`);
    }
    return EXIT_OK;
  }
  const port = intFlag('--port', flags.port, 0, 0);
  const live = await watchReport(runs, {
    ...options,
    port,
    ...(flags.out ? { out: flags.out } : {}),
    onUpdate: (version) => {
      if (flags.json) process.stdout.write(JSON.stringify({ event: 'update', version }) + '\n');
    },
    onError: (error) => process.stderr.write(`molrl report: could not rebuild the report (the last good one is still served): ${(error as Error).message}\n`),
  });
  if (flags.json) process.stdout.write(JSON.stringify({ event: 'listening', url: live.url }) + '\n');
  else process.stdout.write(`live report: ${live.url}  (redraws as the run writes; Ctrl-C to stop)${flags.out ? `\nalso kept up to date: ${shown(flags.out)}` : ''}\n`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await live.close();
  return EXIT_OK;
}

export function registerReport(program: Command): void {
  program
    .command('report')
    .description('write one self-contained HTML report of runs (curves, phases, sample browser); several runs are overlaid')
    .argument('<runs...>', 'run directories (runs/<name>)')
    .option('--out <file>', 'HTML file to write (default: <first run>/report.html)')
    .option('--watch', 'serve a live report on 127.0.0.1 that redraws as the runs write (Ctrl-C to stop)')
    .option('--port <n>', 'port of --watch (0: any free port)', '0')
    .option('--max-samples <n>', `most samples per run in the page; above it whole steps are picked evenly, errored samples always kept (default ${DEFAULT_MAX_SAMPLES})`)
    .option('--max-text-chars <n>', `completions, prompts and feedback are cut to this length (default ${DEFAULT_MAX_TEXT_CHARS})`)
    .option('--title <text>', 'page title')
    .option('--json', 'print what was written (or the --watch events) as JSON')
    .action(async (runs: string[], flags: ReportFlags) => {
      process.exitCode = await runReport(runs, flags);
    });
}
