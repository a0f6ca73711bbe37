// `molrl export CHECKPOINT_OR_RUN --out DIR [--merge]`: a checkpoint of an hf:/hf-random: model as a Hugging Face
// directory (the PEFT adapter, with its random base for hf-random:, or with --merge one full model; full
// fine-tuning: the model). A run directory means its latest checkpoint. Runs `molrl_policy.hf_export` in the
// policy server's Python. Exit codes: 0 exported; 2 not a checkpoint / not an hf model / bad flags; 1 the export failed.
import { defaultPython, defaultServerDir } from '@molrl/policy-client';
import type { Command } from 'commander';
import { execa } from 'execa';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { errors } from '../errors.ts';
import { EXIT_OK } from '../exit-codes.ts';
import { reportError } from '../report-error.ts';

interface ExportFlags {
  out: string;
  merge?: boolean;
  python?: string;
  json?: boolean;
}

function readJson(file: string): Record<string, unknown> | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return null;
  }
}

/** The checkpoint directory `target` names: itself (state.json with a model description) or a run's latest. */
export function resolveCheckpoint(target: string): { dir: string; describe: Record<string, unknown> } {
  const abs = resolve(target);
  const state = readJson(join(abs, 'state.json'));
  if (state && typeof state.describe === 'object' && state.describe !== null) return { dir: abs, describe: state.describe as Record<string, unknown> };
  if (state && 'checkpoint' in state) {
    if (typeof state.checkpoint !== 'string') throw errors.EXPORT_CHECKPOINT_INVALID(target, 'the run has no checkpoint yet; train it until a checkpoint is written (checkpoint.every or a phase end)');
    return resolveCheckpoint(state.checkpoint);
  }
  throw errors.EXPORT_CHECKPOINT_INVALID(target, existsSync(abs) ? 'it holds no state.json of a checkpoint or a run' : 'no such directory');
}

/** Runs the command; returns the exit code. */
export async function runExport(target: string, flags: ExportFlags): Promise<number> {
  const { dir, describe } = resolveCheckpoint(target);
  if (describe.kind !== 'hf') throw errors.EXPORT_UNSUPPORTED(dir, String(describe.kind));
  const out = resolve(flags.out);
  if (!flags.json) process.stderr.write(`molrl export: ${dir} -> ${out}${flags.merge ? ' (merging the LoRA adapter)' : ''}...\n`);
  const python = flags.python ?? defaultPython();
  const args = ['-m', 'molrl_policy.hf_export', dir, '--out', out, ...(flags.merge ? ['--merge'] : [])];
  const run = await execa(python, args, { reject: false, env: { PYTHONPATH: [defaultServerDir, process.env.PYTHONPATH].filter(Boolean).join(':') } });
  const last = (run.stdout ?? '').trim().split('\n').at(-1) ?? '';
  const answer = readJsonLine(last);
  if (run.exitCode !== 0 || !answer || 'error' in answer) {
    const why = answer && 'error' in answer ? (answer.error as { message: string }).message : (run.stderr || run.shortMessage || '').trim().split('\n').slice(-5).join('\n');
    throw errors.EXPORT_FAILED(dir, why);
  }
  if (flags.json) process.stdout.write(JSON.stringify(answer) + '\n');
  else process.stdout.write(`${out}\n`);
  return EXIT_OK;
}

function readJsonLine(line: string): Record<string, unknown> | null {
  try {
    const v = JSON.parse(line) as unknown;
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export function registerExport(program: Command): void {
  program
    .command('export')
    .description('write a checkpoint of an hf:/hf-random: model as a Hugging Face directory (a run directory means its latest checkpoint)')
    .argument('<checkpoint-or-run>', 'checkpoint directory (runs/NAME/checkpoints/step-N) or run directory (runs/NAME)')
    .requiredOption('--out <dir>', 'output directory')
    .option('--merge', 'merge the LoRA adapter into the base weights: one full model directory')
    .option('--python <path>', "python with molrl-policy[hf] (default: $MOLRL_PYTHON, else the checkout's .venv)")
    .option('--json', 'print the result as JSON')
    .action(async (target: string, flags: ExportFlags) => {
      try {
        process.exitCode = await runExport(target, flags);
      } catch (error) {
        process.exitCode = reportError(error, flags.json === true);
      }
    });
}
