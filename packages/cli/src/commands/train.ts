// `molrl train --config FILE | --resume RUN_DIR`: runs a training job (SFT / GRPO / Dr.GRPO / MoL phases).
// Exit codes: 0 finished; 1 the run failed; 2 invalid config or flags, or the run is in use (RUN_LOCKED);
// 3 the policy server, the sandbox or the disk failed; 130 interrupted by Ctrl-C or SIGTERM (after a checkpoint;
// a second one exits at once, keeping the previous checkpoint; resume with --resume either way).
import { readJsonlFile } from '@molrl/common';
import { loadJobConfig, runTrainJob, type MetricsRecord } from '@molrl/core';
import { builtinPlugins } from '@molrl/plugins';
import type { Command } from 'commander';
import { basename, extname, join, relative } from 'node:path';
import { EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE } from '../exit-codes.ts';
import { reportError } from '../report-error.ts';
import { exitNow, onInterrupt } from '../signals.ts';
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
  let serverPid: number | null = null;
  const interrupt = onInterrupt(
    (signal) => {
      progress.line(`${signal === 'SIGTERM' ? 'SIGTERM' : 'interrupt'}: finishing the step in progress and saving a checkpoint (Ctrl-C again to quit at once: the run then resumes from the previous checkpoint)`);
      controller.abort(new Error('interrupted'));
    },
    () => {
      // at once: the server's weights past the last checkpoint are dropped anyway (resume reloads it)
      if (serverPid !== null) {
        try {
          process.kill(serverPid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      exitNow();
    },
  );
  const started = performance.now();
  let runDir: string | null = null;
  try {
    const result = await runTrainJob({
      ...(config ? { config, name: flags.name ?? basename(flags.config!, extname(flags.config!)) } : { resume: flags.resume! }),
      signal: controller.signal,
      builtins: builtinPlugins,
      logger: { info: (m) => progress.line(m), warn: (m) => progress.line(`warning: ${m}`) },
      onStart: ({ runDir: dir, resumed, sandbox }) => {
        runDir = dir;
        progress.start({ phases: config?.phases.length ?? 0, sandbox });
        progress.line(`${resumed ? 'resuming' : 'run'}: ${relative(process.cwd(), dir) || dir}`);
      },
      onServer: ({ pid }) => (serverPid = pid),
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
  } catch (error) {
    progress.done();
    const code = reportError(error, flags.json === true);
    const message = (error as Error)?.message ?? '';
    if (runDir && code !== EXIT_USAGE && !message.includes('--resume')) process.stderr.write(`resume with: molrl train --resume ${runDir}\n`);
    return code;
  } finally {
    progress.done();
    interrupt.dispose();
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
