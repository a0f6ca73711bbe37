// `molrl traces collect`: runs the current policy as a code agent over a job config's tasks and writes MoL traces.
import { connectServer, createRewardEngine, loadDatasets, loadJobConfig } from '@molrl/core';
import { appendJsonl } from '@molrl/common';
import type { PolicyServerHandle } from '@molrl/policy-client';
import { createSandbox } from '@molrl/sandbox';
import { builtinPlugins } from '@molrl/plugins';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { collectTraces, type CollectedTrace } from './traces-collect.ts';

/** Parsed flags of `molrl traces collect`. */
export interface CollectFlags {
  config: string;
  out: string;
  split: 'train' | 'eval';
  limit: number | null;
  maxTurns: number;
  temperature: number;
  maxTokens: number;
  system: string | null;
  checkpoint: string | null;
}

/** What a collection produced. */
export interface CollectSummary {
  tasks: number;
  traces: number;
  finish: Record<string, number>;
  turns: { mean: number; max: number };
  reward: { mean: number | null; scored: number };
  out: string;
  durationMs: number;
}

/** Runs the collection; traces are appended to `flags.out` (truncated first) as each finishes. */
export async function runCollect(flags: CollectFlags, signal: AbortSignal, onLog: (line: string) => void): Promise<CollectSummary> {
  const start = performance.now();
  const config = loadJobConfig(flags.config);
  const data = loadDatasets(config.dataset);
  const rows = data[flags.split].slice(0, flags.limit ?? undefined);
  writeFileSync(flags.out, '');
  const sandbox = await createSandbox(config.sandbox);
  let server: PolicyServerHandle | null = null;
  const engine = await createRewardEngine({ rewards: config.rewards, sandbox }, { ...config.scoring, builtins: builtinPlugins, logger: { debug() {}, info() {}, warn: onLog, error: onLog } });
  try {
    const conn = await connectServer(config, { signal, onLog, ...(flags.checkpoint ? { checkpointRoot: resolve(flags.checkpoint) } : {}) });
    server = conn.handle;
    if (flags.checkpoint) await conn.client.loadCheckpoint({ path: resolve(flags.checkpoint) }, { signal });
    const traces: CollectedTrace[] = await collectTraces(rows, {
      client: conn.client,
      sandbox,
      rewards: engine,
      maxTurns: flags.maxTurns,
      sampling: { temperature: flags.temperature, maxTokens: flags.maxTokens },
      system: flags.system,
      seed: config.seed,
      run: { timeoutMs: 10_000, memoryMb: 512, outputLimitBytes: 65_536 },
      observationMaxChars: 2_000,
      signal,
      onTrace: (t) => appendJsonl(flags.out, [t]),
    });
    const finish: Record<string, number> = {};
    for (const t of traces) finish[t.finish] = (finish[t.finish] ?? 0) + 1;
    const scored = traces.filter((t) => t.reward.score !== null);
    return {
      tasks: rows.length,
      traces: traces.length,
      finish,
      turns: { mean: traces.reduce((a, t) => a + t.turns, 0) / Math.max(1, traces.length), max: Math.max(0, ...traces.map((t) => t.turns)) },
      reward: { mean: scored.length ? scored.reduce((a, t) => a + t.reward.score!, 0) / scored.length : null, scored: scored.length },
      out: flags.out,
      durationMs: performance.now() - start,
    };
  } finally {
    await engine.close().catch(() => {});
    await sandbox.close().catch(() => {});
    await server?.stop();
  }
}

