// `molrl score`: scores a JSONL file of completions with the reward plugins of a config.
// Exit codes: 0 scored; 1 some input lines were invalid (the rest were scored); 2 invalid config or flags;
// 3 every sample came back infra_error (the sandbox is down); 130 interrupted.
import { dirname, resolve } from 'node:path';
import { isMolrlError } from '@molrl/common';
import { createRewardEngine, readScoreConfig, scoredSampleJson, type ScoredSample } from '@molrl/core';
import { builtinPlugins } from '@molrl/plugins';
import type { Command } from 'commander';
import { integer } from '../integer-option.ts';
import { EXIT_FAILURE, EXIT_INFRA, EXIT_INTERRUPTED } from '../exit-codes.ts';
import { createProgressBar } from '../progress-bar.ts';
import { readSamples } from '../score-input.ts';
import { formatSummary, ScoreSummary } from '../score-summary.ts';

/** Flags of `molrl score` as commander hands them over. */
interface ScoreFlags {
  config: string;
  samples: string;
  json?: boolean;
  concurrency?: number;
  timeoutMs?: number;
  retries?: number;
  workers?: number;
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
  const { samples, bad } = readSamples(flags.samples);
  for (const b of bad) process.stderr.write(`${flags.samples}:${b.line}: ${b.problem} (line skipped)\n`);
  const engine = await createRewardEngine(config, {
    builtins: builtinPlugins,
    concurrency: flags.concurrency,
    sampleTimeoutMs: flags.timeoutMs,
    retries: flags.retries,
    workers: flags.workers === undefined ? undefined : flags.workers === 0 ? false : flags.workers,
    baseDir: dirname(resolve(flags.config)),
  });
  const controller = new AbortController();
  const onSignal = () => controller.abort(new Error('interrupted'));
  process.once('SIGINT', onSignal);
  const summary = new ScoreSummary();
  const bar = createProgressBar({ total: samples.length, label: 'scoring' });
  try {
    for await (const r of engine.scoreAll(samples, { signal: controller.signal })) {
      summary.add(r);
      process.stdout.write(line(r, flags.json === true) + '\n');
      bar.tick();
    }
  } catch (error) {
    if (isMolrlError(error) && error.code === 'REWARD_ABORTED') return EXIT_INTERRUPTED;
    throw error;
  } finally {
    bar.done();
    process.off('SIGINT', onSignal);
    await engine.close();
  }
  const s = summary.summary(bad.length);
  process.stderr.write(flags.json ? JSON.stringify({ summary: s }) + '\n' : formatSummary(s));
  if (s.samples > 0 && s.statuses.infra_error === s.samples) return EXIT_INFRA;
  return bad.length > 0 ? EXIT_FAILURE : 0;
}

/** Adds `molrl score`. */
export function registerScore(program: Command): void {
  program
    .command('score')
    .description('score a JSONL file of completions with the reward plugins of a config; one result per line, in input order')
    .requiredOption('--config <file>', 'JSON or YAML config with rewards: [{ plugin, weight?, options? }] and sandbox: { backend, ... }')
    .requiredOption('--samples <file>', 'JSONL, one { id, completion, prompt?, groundTruth?, metadata? } per line')
    .option('--json', 'print one JSON object per sample; the summary goes to stderr as JSON')
    .option('--concurrency <n>', 'samples scored at once (default 32)', integer(1, 4096))
    .option('--timeout-ms <ms>', "per-sample time limit of one plugin's score (default 60000)", integer(1, 3_600_000))
    .option('--retries <n>', 'retries after a sandbox infrastructure fault (default 2)', integer(0, 10))
    .option('--workers <n>', 'worker threads for plugin code; 0 runs plugins in-process (default 0)', integer(0, 256))
    .addHelpText('after', '\nExit codes: 0 scored; 1 some input lines invalid (reported with line numbers, the rest scored);\n2 invalid config or flags; 3 every sample was infra_error; 130 interrupted.')
    .action(async (flags: ScoreFlags) => {
      process.exitCode = await runScore(flags);
    });
}
