// `molrl train --config FILE | --resume RUN_DIR`: runs a training job (SFT / GRPO / Dr.GRPO / MoL phases).
// Exit codes: 0 finished; 1 the run failed; 2 invalid config or flags; 3 the policy server or sandbox failed;
// 130 interrupted by Ctrl-C (after a checkpoint; resume with --resume).
import { readJsonlFile } from '@molrl/common';
import { loadJobConfig, runTrainJob, type MetricsRecord } from '@molrl/core';
import { builtinPlugins } from '@molrl/plugins';
import type { Command } from 'commander';
import { basename, extname, join, relative } from 'node:path';
import { EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE } from '../exit-codes.ts';
import { TrainProgress } from '../train-progress.ts';
import { formatTrainSummary } from '../train-summary.ts';

/** Flags of `molrl train`. */
interface TrainFlags {
  config?: string;
  resume?: string;
  name?: string;
  json?: boolean;
  serverLog?: boolean;
}

/** Every eval line of a run's metrics.jsonl. */
function evalLines(runDir: string): MetricsRecord[] {
  return readJsonlFile(join(runDir, 'metrics.jsonl'))
    .map((l) => l.value as MetricsRecord | undefined)
    .filter((v): v is MetricsRecord => v !== undefined && typeof v['eval/reward/mean'] !== 'undefined');
}

/** Runs the command; returns the exit code. */
export async function runTrain(flags: TrainFlags): Promise<number> {
  if (!flags.config === !flags.resume) {
    process.stderr.write('molrl train: give exactly one of --config FILE or --resume RUN_DIR\n');
    return EXIT_USAGE;
  }
  const config = flags.config ? loadJobConfig(flags.config) : undefined;
  // --json keeps stdout for the result; progress on stderr is then plain lines even on a terminal.
  const progress = new TrainProgress({ tty: flags.json ? false : process.stderr.isTTY === true });
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts === 1) {
      progress.line('interrupt: finishing at the last completed step and saving a checkpoint (Ctrl-C again to quit without it)');
      controller.abort(new Error('interrupted'));
    } else process.exit(EXIT_INTERRUPTED);
  };
  // signal-exit (used by the server launcher) treats SIGINT as fatal when the process has exactly as many SIGINT
  // listeners as it has exit callbacks: it would then stop the policy server and re-raise SIGINT before we can
  // checkpoint. Our listener runs first and, in that case, adds a no-op one so that Ctrl-C stays ours.
  const keepSigint = () => {};
  const guard = () => {
    const emitter = (globalThis as Record<symbol, { count?: number } | undefined>)[Symbol.for('signal-exit emitter')];
    if (emitter?.count !== undefined && process.listeners('SIGINT').length === emitter.count) process.on('SIGINT', keepSigint);
  };
  process.on('SIGINT', guard);
  process.on('SIGINT', onSigint);
  const started = performance.now();
  try {
    const result = await runTrainJob({
      ...(config ? { config, name: flags.name ?? basename(flags.config!, extname(flags.config!)) } : { resume: flags.resume! }),
      signal: controller.signal,
      builtins: builtinPlugins,
      logger: { info: (m) => progress.line(m), warn: (m) => progress.line(`warning: ${m}`) },
      onStart: ({ runDir, resumed, sandbox }) => {
        progress.start({ phases: config?.phases.length ?? 0, sandbox });
        progress.line(`${resumed ? 'resuming' : 'run'}: ${relative(process.cwd(), runDir) || runDir}`);
      },
      onMetrics: (record) => progress.metrics(record),
      onProgress: (i, phase, p) => progress.update(i, phase, p),
      onEval: (record) => progress.eval(record),
      ...(flags.serverLog ? { onServerLog: (line: string) => progress.line(`[server] ${line}`) } : {}),
    });
    progress.done();
    const seconds = (performance.now() - started) / 1000;
    const evals = evalLines(result.runDir);
    if (flags.json) process.stdout.write(JSON.stringify({ runDir: result.runDir, status: result.status, seconds, before: evals[0] ?? null, after: evals.at(-1) ?? null }) + '\n');
    else process.stdout.write(formatTrainSummary(evals, relative(process.cwd(), result.runDir) || result.runDir, seconds));
    if (result.status === 'interrupted') {
      process.stderr.write(`interrupted; resume with: molrl train --resume ${result.runDir}\n`);
      return EXIT_INTERRUPTED;
    }
    return EXIT_OK;
  } finally {
    progress.done();
    process.off('SIGINT', guard);
    process.off('SIGINT', onSigint);
    process.off('SIGINT', keepSigint);
  }
}

export function registerTrain(program: Command): void {
  program
    .command('train')
    .description('run a training job from a config file (SFT, GRPO / Dr.GRPO, MoL phases), or resume one')
    .option('--config <file>', 'job config (JSON or YAML)')
    .option('--resume <runDir>', 'resume a run from its last checkpoint (metrics are truncated to it, never duplicated)')
    .option('--name <name>', 'run name when the config has none (default: the config file name)')
    .option('--server-log', "print the policy server's log lines")
    .option('--json', 'print the final result as JSON (progress goes to stderr as plain lines, not the live view)')
    .action(async (flags: TrainFlags) => {
      process.exitCode = await runTrain(flags);
    });
}
