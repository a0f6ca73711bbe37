// `molrl traces prepare`: preprocesses agent traces for the MoL phase (think blocks, loss tags, token budget).
import { prepareTraces, type MolVariant, type ModelType, type PreparedTrace, type PrepareSummary } from '@molrl/core';
import { errors as commonErrors } from '@molrl/common';
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { errors } from '../errors.ts';
import { EXIT_OK } from '../exit-codes.ts';
import { reportError } from '../report-error.ts';

const VARIANTS: readonly MolVariant[] = ['mol', 'ce', 'ce_nokl', 'ce_eetb'];
const MODEL_TYPES: readonly ModelType[] = ['cot', 'non-cot'];

interface PrepareFlags {
  input?: string;
  modelType?: string;
  variant: string;
  maxTokens: string;
  truncate: string;
  json?: boolean;
}

const PREPARE_HELP = `
Reads JSONL traces ({ id, messages: [{ role, content }] }, smolagents CodeAgent or OpenAI form) and prints,
per trace, { id, segments: [{ role, text, loss }], tokens }. Loss tags: feedback turns (tool / tool-response,
user turns starting with "Observation:") ce; assistant turns kl; system and task none.
Variants: mol (default), ce (KL replaced by CE), ce_nokl (no loss on decisions), ce_eetb (CE except the
empty think blocks). A summary (counts, turns, token histogram, dropped/truncated, bad lines) goes to stderr.

Example:
  molrl traces prepare --input traces.jsonl --model-type non-cot --variant mol --max-tokens 8192 --json`;

function parseFlags(flags: PrepareFlags) {
  if (!flags.input) throw errors.CLI_USAGE('--input', 'expected a JSONL file of traces', flags.input ?? null);
  if (!MODEL_TYPES.includes(flags.modelType as ModelType)) throw errors.CLI_USAGE('--model-type', `expected one of ${MODEL_TYPES.join(', ')}`, flags.modelType ?? null);
  if (!VARIANTS.includes(flags.variant as MolVariant)) throw errors.CLI_USAGE('--variant', `expected one of ${VARIANTS.join(', ')}`, flags.variant);
  const maxTokens = Number(flags.maxTokens);
  if (!Number.isInteger(maxTokens) || maxTokens < 1) throw errors.CLI_USAGE('--max-tokens', 'expected a positive integer', flags.maxTokens);
  if (flags.truncate !== 'turn' && flags.truncate !== 'drop') throw errors.CLI_USAGE('--truncate', 'expected turn or drop', flags.truncate);
  return { input: flags.input, modelType: flags.modelType as ModelType, variant: flags.variant as MolVariant, maxTokens, truncate: flags.truncate as 'turn' | 'drop' };
}

function readable(t: PreparedTrace): string {
  const lines = [`# ${t.id}  (${t.tokens} tokens${t.truncated ? ', truncated' : ''})`];
  for (const s of t.segments) lines.push(`  [${s.loss.padEnd(4)}] ${s.role.padEnd(9)} ${JSON.stringify(s.text.length > 100 ? `${s.text.slice(0, 97)}...` : s.text)}`);
  return `${lines.join('\n')}\n`;
}

function summaryText(s: PrepareSummary): string {
  const hist = Object.entries(s.tokenHistogram).map(([k, v]) => `${k}: ${v}`).join(', ') || '(none)';
  const bad = s.bad.map((b) => `\n  line ${b.line}: ${b.error}`).join('');
  return (
    `traces: ${s.input} read, ${s.kept} kept, ${s.dropped} dropped, ${s.truncated} truncated, ${s.bad.length} bad lines${bad}\n` +
    `turns per trace: min ${s.turns.min}, mean ${s.turns.mean.toFixed(1)}, max ${s.turns.max}\n` +
    `tokens: ${s.tokens.total} total, ${s.tokens.ce} ce, ${s.tokens.kl} kl; histogram ${hist}\n`
  );
}

/** Registers `molrl traces` and its sub-commands. */
export function registerTraces(program: Command): void {
  const traces = program.command('traces').description('Agent traces for the MoL phase: prepare (and collect).');
  traces
    .command('prepare')
    .description('Preprocess agent traces: think blocks, loss tags per variant, token budget.')
    .option('--input <file>', 'JSONL file of traces')
    .option('--model-type <type>', 'cot (clear <think> contents) | non-cot (insert empty <think> blocks)')
    .option('--variant <name>', 'mol | ce | ce_nokl | ce_eetb', 'mol')
    .option('--max-tokens <n>', 'token budget per trace', '8192')
    .option('--truncate <how>', 'over budget: turn (cut at a turn boundary) | drop', 'turn')
    .option('--json', 'print one JSON object per trace and the summary as JSON on stderr')
    .addHelpText('after', PREPARE_HELP)
    .action((flags: PrepareFlags) => {
      try {
        const opts = parseFlags(flags);
        let text: string;
        try {
          text = readFileSync(opts.input, 'utf8');
        } catch (cause) {
          throw commonErrors.FILE_UNREADABLE(opts.input, cause);
        }
        const { traces: out, summary } = prepareTraces(text, opts);
        for (const t of out) process.stdout.write(flags.json ? `${JSON.stringify({ id: t.id, segments: t.segments, tokens: t.tokens })}\n` : readable(t));
        process.stderr.write(flags.json ? `${JSON.stringify({ summary })}\n` : summaryText(summary));
        process.exitCode = EXIT_OK;
      } catch (error) {
        process.exitCode = reportError(error, flags.json === true);
      }
    });
  traces.action(() => traces.help());
}
