// `molrl eval --config FILE [--checkpoint PATH] [--runs K] [--preset qwen3]`: pass@1 over the eval split.
// Exit codes: 0 evaluated; 2 invalid config or flags; 3 the policy server or sandbox failed.
import { connectServer, createRewardEngine, loadDatasets, loadJobConfig, runEval, type EvalConfig, type MetricsRecord } from '@molrl/core';
import type { SamplingParams } from '@molrl/policy-client';
import { builtinPlugins } from '@molrl/plugins';
import { InvalidArgumentError, type Command } from 'commander';
import { integer } from '../integer-option.ts';
import { resolve } from 'node:path';
import { EXIT_OK } from '../exit-codes.ts';

/** Sampling presets; `qwen3` is the paper's evaluation setting for Qwen3 (thinking mode). */
export const SAMPLING_PRESETS: Record<string, SamplingParams> = {
  qwen3: { temperature: 0.6, topP: 0.95, topK: 20, presencePenalty: 1.0 },
  greedy: { temperature: 0 },
};

interface EvalFlags {
  config: string;
  checkpoint?: string;
  runs?: number;
  samples?: number;
  preset?: string;
  json?: boolean;
}


/** The eval settings: the config's `eval` (or defaults), with the flags applied. */
export function evalSettings(configured: EvalConfig | undefined, flags: Pick<EvalFlags, 'runs' | 'samples' | 'preset'>): EvalConfig {
  const base: EvalConfig = configured ?? { every: 0, samples: 256, runs: 1, sampling: {}, greedy: true, correctThreshold: 1 };
  const preset = flags.preset ? SAMPLING_PRESETS[flags.preset] : undefined;
  return {
    ...base,
    runs: flags.runs ?? base.runs,
    samples: flags.samples ?? base.samples,
    sampling: { ...base.sampling, ...(preset ?? {}) },
  };
}

/** Runs the command; returns the exit code. */
export async function runEvalCommand(flags: EvalFlags): Promise<number> {
  const config = loadJobConfig(flags.config);
  const settings = evalSettings(config.eval, flags);
  const data = loadDatasets(config.dataset);
  const { client, handle } = await connectServer(config, flags.checkpoint ? { checkpointRoot: resolve(flags.checkpoint) } : {});
  const engine = await createRewardEngine({ rewards: config.rewards, sandbox: config.sandbox }, { concurrency: config.scoring.concurrency, sampleTimeoutMs: config.scoring.sampleTimeoutMs, retries: config.scoring.retries, builtins: builtinPlugins });
  try {
    if (flags.checkpoint) await client.loadCheckpoint({ path: resolve(flags.checkpoint) });
    const record: MetricsRecord = await runEval(client, engine, data.eval, settings, { seed: config.seed, step: 0, dedupe: config.scoring.dedupe });
    if (flags.json) process.stdout.write(JSON.stringify({ checkpoint: flags.checkpoint ?? null, runs: settings.runs, sampling: settings.sampling, ...record }) + '\n');
    else {
      process.stdout.write(`eval: ${Math.min(settings.samples, data.eval.length)} prompts x ${settings.runs} run(s), sampling ${JSON.stringify(settings.sampling)}${flags.checkpoint ? `, checkpoint ${flags.checkpoint}` : ''}\n`);
      for (const [k, v] of Object.entries(record)) if (typeof v === 'number' && !k.startsWith('time/')) process.stdout.write(`  ${k.padEnd(36)} ${Number.isInteger(v) ? v : v.toFixed(4)}\n`);
    }
    return EXIT_OK;
  } finally {
    await engine.close();
    await handle?.stop();
  }
}

export function registerEval(program: Command): void {
  program
    .command('eval')
    .description("pass@1 over a job's eval split (k samples per prompt averaged), plus greedy accuracy")
    .requiredOption('--config <file>', 'job config (JSON or YAML): model, server, dataset, rewards, eval')
    .option('--checkpoint <path>', 'checkpoint directory to load first (e.g. runs/<name>/checkpoints/step-000100)')
    .option('--runs <k>', 'samples per prompt, pass@1 averaged over them (the paper averages AIME over 3)', integer(1))
    .option('--samples <n>', 'eval prompts (default: eval.samples)', integer(1))
    .option('--preset <name>', `sampling preset: ${Object.keys(SAMPLING_PRESETS).join(', ')} (qwen3: temperature 0.6, top-p 0.95, top-k 20, presence penalty 1.0)`)
    .option('--json', 'print the result as JSON')
    .action(async (flags: EvalFlags) => {
      if (flags.preset && !SAMPLING_PRESETS[flags.preset]) throw new InvalidArgumentError(`unknown preset "${flags.preset}"; expected one of: ${Object.keys(SAMPLING_PRESETS).join(', ')}`);
      process.exitCode = await runEvalCommand(flags);
    });
}
