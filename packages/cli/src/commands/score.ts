// `molrl score`: scores a JSONL file of completions (or standard input) with the reward plugins of a config.
// Exit codes: 0 scored; 1 some input lines were invalid, or a plugin failed (plugin_error, PLUGIN_ERROR_LIMIT);
// 2 invalid config, flags or input limit; 3 every sample came back infra_error (the sandbox is down);
// 130 interrupted (Ctrl-C or SIGTERM: nothing more is printed, the sandbox is closed).
import { dirname, resolve } from 'node:path';
import { INPUT_LIMITS, isMolrlError, type MolrlError } from '@molrl/common';
import { createRewardEngine, readScoreConfig, scoredSampleJson, type RewardSample, type ScoredSample } from '@molrl/core';
import { builtinPlugins } from '@molrl/plugins';
import type { Command } from 'commander';
import { integer } from '../integer-option.ts';
import { EXIT_FAILURE, EXIT_INFRA, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE } from '../exit-codes.ts';
import { createProgressBar } from '../progress-bar.ts';
import { reportError } from '../report-error.ts';
import { readSamples, type BadLine } from '../score-input.ts';
import { formatSummary, ScoreSummary } from '../score-summary.ts';
import { onInterrupt } from '../signals.ts';
import { stdoutWriter } from '../stdout-writer.ts';

/** Flags of `molrl score` as commander hands them over. */
interface ScoreFlags {
  config: string;
  samples: string;
  json?: boolean;
  concurrency?: number;
  timeoutMs?: number;
  retries?: number;
  workers?: number;
  maxPluginErrors?: number;
  maxLineBytes?: number;
  maxSamples?: number;
  maxCompletionChars?: number;
}

/** One output line: `--json` form, or `id  score  status  plugin=score(components)` for people. */
function line(r: ScoredSample, json: boolean): string {
  if (json) return JSON.stringify(scoredSampleJson(r));
  const parts = Object.entries(r.rewards).map(([k, v]) => `${k}=${v.score ?? v.status}${Object.keys(v.components).length ? `(${Object.entries(v.components).map(([c, x]) => `${c}:${x}`).join(',')})` : ''}`);
  return `${r.id}\t${r.score ?? '-'}\t${r.status}\t${parts.join(' ')}`;
}

/** Runs the command; returns the exit code. */
export async function runScore(flags: ScoreFlags): Promise<number> {
  const config = readScoreConfig(flags.config);
  const limits = {
    maxLineBytes: flags.maxLineBytes ?? INPUT_LIMITS.maxLineBytes,
    maxSamples: flags.maxSamples ?? INPUT_LIMITS.maxSamples,
    maxCompletionChars: flags.maxCompletionChars ?? INPUT_LIMITS.maxCompletionChars,
  };
  const input = readSamples(flags.samples, limits);
  const first = await input.next(); // opens the input: FILE_UNREADABLE before any plugin starts
  const controller = new AbortController();
  const interrupt = onInterrupt(() => controller.abort(new Error('interrupted')));
  const out = stdoutWriter(() => controller.abort(new Error('standard output was closed')));
  const bad: BadLine[] = [];
  let limitError: MolrlError | null = null;
  const name = flags.samples === '-' ? 'stdin' : flags.samples;
  const samples = async function* (): AsyncGenerator<RewardSample> {
    for (let item = first; !item.done; item = await input.next()) {
      const v = item.value;
      if (v.bad) {
        bad.push(v.bad);
        process.stderr.write(`${name}:${v.bad.line}: ${v.bad.code ? `${v.bad.code}: ` : ''}${v.bad.problem} (line skipped)\n`);
      } else if (v.limit) {
        limitError = v.limit;
        return;
      } else yield v.sample;
    }
  };
  let engine: Awaited<ReturnType<typeof createRewardEngine>> | null = null;
  const summary = new ScoreSummary();
  const bar = createProgressBar({ label: 'scoring' });
  try {
    engine = await createRewardEngine(config, {
      builtins: builtinPlugins,
      concurrency: flags.concurrency,
      sampleTimeoutMs: flags.timeoutMs,
      retries: flags.retries,
      workers: flags.workers === undefined ? undefined : flags.workers === 0 ? false : flags.workers,
      maxPluginErrors: flags.maxPluginErrors,
      baseDir: dirname(resolve(flags.config)),
    });
    if (controller.signal.aborted) throw new Error('interrupted');
    for await (const r of engine.scoreAll(samples(), { signal: controller.signal })) {
      summary.add(r);
      await out.write(line(r, flags.json === true) + '\n');
      bar.tick();
    }
  } catch (error) {
    if (out.closed) return EXIT_OK; // `| head`: the reader has what it wanted
    if (controller.signal.aborted) return EXIT_INTERRUPTED;
    if (isMolrlError(error) && error.code === 'PLUGIN_ERROR_LIMIT') {
      reportError(error, flags.json === true);
      return EXIT_FAILURE;
    }
    throw error;
  } finally {
    bar.done();
    await input.return(undefined);
    await engine?.close().catch((error: unknown) => process.stderr.write(`warning: ${(error as Error).message}\n`));
    interrupt.dispose();
    out.dispose();
  }
  if (out.closed) return EXIT_OK;
  if (interrupt.signal) return EXIT_INTERRUPTED;
  const s = summary.summary(bad.length);
  process.stderr.write(flags.json ? JSON.stringify({ summary: s }) + '\n' : formatSummary(s));
  if (limitError) {
    reportError(limitError, flags.json === true);
    return EXIT_USAGE;
  }
  if (s.samples > 0 && s.statuses.infra_error === s.samples) return EXIT_INFRA;
  return bad.length > 0 || s.statuses.plugin_error > 0 ? EXIT_FAILURE : EXIT_OK;
}

/** Adds `molrl score`. */
export function registerScore(program: Command): void {
  program
    .command('score')
    .description('score a JSONL file of completions with the reward plugins of a config; one result per line, in input order')
    .requiredOption('--config <file>', 'JSON or YAML config with rewards: [{ plugin, weight?, options? }] and sandbox: { backend, ... }')
    .requiredOption('--samples <file>', "JSONL, one { id, completion, prompt?, groundTruth?, metadata? } per line; '-' reads standard input (streamed: any size)")
    .option('--json', 'print one JSON object per sample; the summary goes to stderr as JSON')
    .option('--concurrency <n>', 'samples scored at once (default 32)', integer(1, 4096))
    .option('--timeout-ms <ms>', "per-sample time limit of one plugin's score (default 60000)", integer(1, 3_600_000))
    .option('--retries <n>', 'retries after a sandbox infrastructure fault (default 2)', integer(0, 10))
    .option('--workers <n>', 'worker threads for plugin code (default: one per core, at most 4); 0 runs plugins in-process: faster to start, but a plugin stuck in a synchronous loop then ends the whole process', integer(0, 256))
    .option('--max-plugin-errors <n>', 'plugin_error results tolerated before the run stops with PLUGIN_ERROR_LIMIT (default 10)', integer(0, 1_000_000_000))
    .option('--max-line-bytes <n>', `bytes of one input line (default ${INPUT_LIMITS.maxLineBytes})`, integer(1, 2 ** 30))
    .option('--max-samples <n>', `samples read (default ${INPUT_LIMITS.maxSamples})`, integer(1, Number.MAX_SAFE_INTEGER))
    .option('--max-completion-chars <n>', `characters of one completion (default ${INPUT_LIMITS.maxCompletionChars})`, integer(1, 2 ** 29))
    .addHelpText(
      'after',
      '\nExit codes: 0 scored; 1 some input lines invalid (reported with line numbers, the rest scored) or a plugin failed\n(plugin_error); 2 invalid config, flags or --max-samples exceeded; 3 every sample was infra_error;\n130 interrupted (Ctrl-C or SIGTERM).',
    )
    .action(async (flags: ScoreFlags) => {
      process.exitCode = await runScore(flags);
    });
}
