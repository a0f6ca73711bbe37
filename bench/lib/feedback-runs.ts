// The runs of bench/feedback.ts: one checkpoint of a job's first phase (SFT or MoL), then its GRPO phase per variant
// and seed from those weights, with every step's metrics and every eval kept.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTrainJob, validateJobConfig } from '@molrl/core';
import { builtinPlugins } from '@molrl/plugins';
import { launchPolicyServer } from '@molrl/policy-client';

/** A job config as read from its file (the bench overrides fields of it). */
export type JobJson = Record<string, any>;
/** One metrics line of a run (a step's, or an eval's). */
export type MetricsLine = Record<string, unknown>;

const quiet = { info() {}, warn: (m: string) => process.stderr.write(`${m}\n`) };
const launch = (base: JobJson, seed: number, runsDir: string) =>
  launchPolicyServer({ model: base.model, modelConfig: base.modelConfig, seed, threads: base.server?.start?.threads ?? 1, checkpointRoot: runsDir, onLog: () => {} });

/** Runs the job's first phase alone (no evals) and saves its weights, optimizer and RNG under runsDir; returns the checkpoint's path. */
export async function firstPhaseCheckpoint(base: JobJson, baseDir: string, runsDir: string): Promise<string> {
  const path = join(runsDir, 'first-phase-checkpoint');
  const server = await launch(base, base.seed, runsDir);
  try {
    const config = validateJobConfig({ ...base, name: 'first-phase', runsDir, server: { url: server.client.url }, phases: [base.phases[0]], eval: undefined, checkpoint: { every: 0 } }, baseDir);
    await runTrainJob({ config, builtins: builtinPlugins, logger: quiet });
    await server.client.saveCheckpoint({ path });
  } finally {
    await server.stop();
  }
  return path;
}

/** Runs the job's GRPO phase (phases[1] with `grpo` over it) from the checkpoint with `seed`; returns every metrics line. */
export async function grpoFromCheckpoint(base: JobJson, baseDir: string, runsDir: string, checkpoint: string, seed: number, grpo: object, evalEvery: number): Promise<MetricsLine[]> {
  const server = await launch(base, seed, runsDir);
  try {
    await server.client.loadCheckpoint({ path: checkpoint });
    const name = `grpo-${seed}-${Math.random().toString(36).slice(2, 8)}`;
    const config = validateJobConfig({ ...base, name, runsDir, seed, server: { url: server.client.url }, phases: [{ ...base.phases[1], ...grpo }], eval: { ...base.eval, every: evalEvery, runs: 1 }, checkpoint: { every: 0 } }, baseDir);
    const lines: MetricsLine[] = [];
    await runTrainJob({ config, builtins: builtinPlugins, logger: quiet, onMetrics: (l) => void lines.push(l as MetricsLine) });
    return lines;
  } finally {
    await server.stop();
  }
}

/** A fresh directory for a bench's runs. */
export const benchRunsDir = (name: string) => mkdtempSync(join(tmpdir(), `molrl-bench-${name}-`));
