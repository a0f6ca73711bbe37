// `molrl traces prepare` (preprocess agent traces for the MoL phase) and `molrl traces collect` (make them with the policy).
import { prepareTraces, type MolVariant, type ModelType, type PreparedTrace, type PrepareSummary } from '@molrl/core';
import { errors as commonErrors } from '@molrl/common';
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { errors } from '../errors.ts';
import { EXIT_OK } from '../exit-codes.ts';
import { reportError } from '../report-error.ts';
import { runCollect, type CollectFlags, type CollectSummary } from '../traces-collect-command.ts';
import { AGENT_SYSTEM_PROMPT } from '../traces-observation.ts';

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

const COLLECT_HELP = `
Each task of the split is an episode: the policy writes an assistant turn; its \`\`\`python block runs in the
configured sandbox (with final_answer(x) defined: it prints x and ends the program); the observation goes back
as the next user turn, "Observation: Execution logs:\\n<stdout>" or "Observation: Error: <exception>". An
episode ends at a turn without a code block, after final_answer(...) ran, at --max-turns, or when the
conversation no longer fits the model's context. The last assistant turn is scored with the config's reward
plugins (code that calls final_answer is scored with final_answer defined, as it ran). Each line of --out:
{ id, messages, groundTruth, metadata, turns, finish, reward } (the form \`molrl traces prepare\` and MoL
phases read).

Example:
  molrl traces collect --config examples/mol-drgrpo/config.json --out traces.jsonl --limit 100 --max-turns 4`;

interface RawCollectFlags {
  config?: string;
  out?: string;
  split: string;
  limit?: string;
  maxTurns: string;
  temperature: string;
  maxTokens: string;
  system: string;
  checkpoint?: string;
  json?: boolean;
}

const positiveInt = (flag: string, v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw errors.CLI_USAGE(flag, 'expected a positive integer', v);
  return n;
};

function parseCollectFlags(f: RawCollectFlags): CollectFlags {
  if (!f.config) throw errors.CLI_USAGE('--config', 'expected a job config file', f.config ?? null);
  if (!f.out) throw errors.CLI_USAGE('--out', 'expected the JSONL file to write', f.out ?? null);
  if (f.split !== 'train' && f.split !== 'eval') throw errors.CLI_USAGE('--split', 'expected train or eval', f.split);
  const temperature = Number(f.temperature);
  if (!Number.isFinite(temperature) || temperature < 0) throw errors.CLI_USAGE('--temperature', 'expected a number >= 0', f.temperature);
  return {
    config: f.config,
    out: f.out,
    split: f.split,
    limit: f.limit === undefined ? null : positiveInt('--limit', f.limit),
    maxTurns: positiveInt('--max-turns', f.maxTurns),
    temperature,
    maxTokens: positiveInt('--max-tokens', f.maxTokens),
    system: f.system === '' ? null : f.system,
    checkpoint: f.checkpoint ?? null,
  };
}

function collectSummaryText(s: CollectSummary): string {
  const finish = Object.entries(s.finish).map(([k, v]) => `${k} ${v}`).join(', ') || '(none)';
  return (
    `wrote ${s.traces} traces of ${s.tasks} tasks to ${s.out} in ${(s.durationMs / 1000).toFixed(1)} s\n` +
    `finish: ${finish}; turns mean ${s.turns.mean.toFixed(1)}, max ${s.turns.max}; reward mean ${s.reward.mean === null ? 'n/a' : s.reward.mean.toFixed(3)} (${s.reward.scored} scored)\n`
  );
}

/** Registers `molrl traces` and its sub-commands. */
export function registerTraces(program: Command): void {
  const traces = program.command('traces').description('agent traces for the MoL phase: prepare, collect');
  traces
    .command('prepare')
    .description('preprocess agent traces: think blocks, loss tags per variant, token budget')
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
  traces
    .command('collect')
    .description('run the current policy as a code agent over the config\'s tasks and write agent traces (JSONL) for MoL')
    .option('--config <file>', 'job config: model, server (start or url), dataset, rewards, sandbox')
    .option('--out <file>', 'JSONL file of traces to write')
    .option('--split <name>', 'dataset split: train | eval', 'train')
    .option('--limit <n>', 'first n tasks of the split')
    .option('--max-turns <n>', 'assistant turns per episode at most', '5')
    .option('--temperature <t>', 'sampling temperature of each turn', '0.7')
    .option('--max-tokens <n>', 'new tokens per assistant turn', '256')
    .option('--system <text>', 'system prompt ("" for none)', AGENT_SYSTEM_PROMPT)
    .option('--checkpoint <dir>', 'load this checkpoint into the server first (e.g. runs/<name>/checkpoints/<step>)')
    .option('--json', 'print the summary as JSON on stdout')
    .addHelpText('after', COLLECT_HELP)
    .action(async (raw: RawCollectFlags) => {
      const stop = new AbortController();
      const onSigint = () => stop.abort(new Error('interrupted'));
      process.once('SIGINT', onSigint);
      try {
        const summary = await runCollect(parseCollectFlags(raw), stop.signal, (line) => process.stderr.write(`${line}\n`));
        process.stdout.write(raw.json ? `${JSON.stringify(summary)}\n` : collectSummaryText(summary));
        process.exitCode = EXIT_OK;
      } catch (error) {
        process.exitCode = reportError(error, raw.json === true);
      } finally {
        process.off('SIGINT', onSigint);
      }
    });
  traces.action(() => traces.help());
}
