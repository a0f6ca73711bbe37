// npm run bench -- train: the quickstart's GRPO step, split into server, sandbox and trainer time, and the
// overlap of scoring with generation measured against scoring after generation.
// Trainer overhead = wall time of a step (metrics line to metrics line) minus the time spent waiting for the
// policy server (generate, train) and for scoring not hidden behind generation. Target: <= 3 %.
// Overlap: after the job, on the same server and reward engine, rounds of one GRPO step's generate + score
// alternate between the trainer's mode (scoring each completion as it streams in) and the baseline (the
// whole generation first, then scoring), same prompts and seed in both; each mode goes first in half the rounds.
import { readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readConfigFile } from '@molrl/common';
import { createRewardEngine, generateAndScore, loadDatasets, runTrainJob, toServerPrompt, validateJobConfig, type DatasetRow, type GrpoPhaseConfig, type RewardEngine } from '@molrl/core';
import { builtinPlugins } from '@molrl/plugins';
import { launchPolicyServer, type PolicyClient } from '@molrl/policy-client';

const GRPO_STEPS = 20;
const ROUNDS = 20; // per mode

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/** The baseline: the whole generation, then every distinct completion scored (as many at once as the engine allows). */
async function generateThenScore(client: PolicyClient, engine: RewardEngine, rows: readonly DatasetRow[], phase: GrpoPhaseConfig, seed: number): Promise<void> {
  const out = await client.generate({ prompts: rows.map(toServerPrompt), n: phase.groupSize, sampling: phase.sampling, seed });
  const byId = new Map(rows.map((r) => [r.id, r]));
  const seen = new Map<string, Promise<unknown>>();
  for (const c of out.completions) {
    const row = byId.get(c.promptId)!;
    const key = `${row.id}\u0000${c.text}`;
    if (!seen.has(key)) seen.set(key, engine.score({ id: `base/${row.id}/${c.index}`, promptId: row.id, prompt: row.prompt, completion: c.text, groundTruth: row.groundTruth, metadata: row.metadata, step: 0 }));
  }
  await Promise.all(seen.values());
}

export default async function bench(): Promise<string> {
  const file = fileURLToPath(new URL('../examples/quickstart/config.json', import.meta.url));
  const raw = readConfigFile(file) as Record<string, any>;
  const loadStart = loadavg()[0];
  raw.runsDir = mkdtempSync(join(tmpdir(), 'molrl-bench-train-'));
  const server = await launchPolicyServer({ model: raw.model, modelConfig: raw.modelConfig, seed: raw.seed, threads: raw.server.start.threads, checkpointRoot: raw.runsDir, onLog: () => {} });
  try {
    raw.server = { url: server.client.url }; // the job trains this server, which stays up for the overlap rounds
    raw.phases[1].steps = GRPO_STEPS;
    delete raw.eval;
    const config = validateJobConfig(raw, join(file, '..'));
    const result = await runTrainJob({ config, builtins: builtinPlugins, logger: { info() {}, warn: (m) => process.stderr.write(`${m}\n`) } });
    const lines = readFileSync(join(result.runDir, 'metrics.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
    const steps = lines.filter((l) => l.phaseType === 'grpo' && typeof l['time/step'] === 'number');
    // Step k's wall time: from the previous step's metrics line to this one (includes sample and metrics writes).
    const rows = steps.slice(1).map((s, i) => {
      const wall = (Date.parse(s.time) - Date.parse(steps[i].time)) / 1000;
      const waited = s['time/generate'] + s['time/score'] + s['time/train'];
      return { wall, gen: s['time/generate'], exposed: s['time/score'], span: s['time/score_span'], train: s['time/train'], overhead: Math.max(0, wall - waited), hidden: s['score/hidden_fraction'] };
    });
    const total = sum(rows.map((r) => r.wall));
    const overhead = sum(rows.map((r) => r.overhead));

    const grpo = config.phases[1] as GrpoPhaseConfig;
    const engine = await createRewardEngine(
      { rewards: config.rewards, sandbox: config.sandbox },
      { concurrency: config.scoring.concurrency, sampleTimeoutMs: config.scoring.sampleTimeoutMs, retries: config.scoring.retries, builtins: builtinPlugins },
    );
    const times = { overlapped: [] as number[], after: [] as number[] };
    try {
      const train = loadDatasets(config.dataset).train;
      for (let r = 0; r < ROUNDS; r++) {
        const batch = Array.from({ length: grpo.promptsPerStep }, (_, k) => train[(r * grpo.promptsPerStep + k) % train.length]);
        const seed = 1000 + r;
        const modes = r % 2 === 0 ? (['overlapped', 'after'] as const) : (['after', 'overlapped'] as const);
        for (const mode of modes) {
          const t0 = performance.now();
          if (mode === 'overlapped') await generateAndScore(server.client, engine, batch, { n: grpo.groupSize, sampling: grpo.sampling, seed, step: 0, idPrefix: `bench-${r}`, dedupe: true });
          else await generateThenScore(server.client, engine, batch, grpo, seed);
          times[mode].push((performance.now() - t0) / 1000);
        }
      }
    } finally {
      await engine.close();
    }
    const loadEnd = loadavg()[0];
    const over = median(times.overlapped);
    const after = median(times.after);
    const f = (x: number) => x.toFixed(3);
    return [
      `The quickstart job (examples/quickstart/config.json: tiny model, 16 prompts × G 8 = 128 completions per step, reward:code-execution in the docker sandbox), its ${raw.phases[0].steps} SFT steps, then ${GRPO_STEPS} Dr.GRPO steps without evals; the first GRPO step is left out (warm-up). Medians over ${rows.length} steps, seconds.`,
      '',
      '| part of a step | median s | share of step wall time |',
      '|---|---|---|',
      `| step wall time (metrics line to metrics line) | ${f(median(rows.map((r) => r.wall)))} | 100 % |`,
      `| generate (policy server, streamed) | ${f(median(rows.map((r) => r.gen)))} | ${((100 * sum(rows.map((r) => r.gen))) / total).toFixed(1)} % |`,
      `| scoring after generation ended (exposed) | ${f(median(rows.map((r) => r.exposed)))} | ${((100 * sum(rows.map((r) => r.exposed))) / total).toFixed(1)} % |`,
      `| train/policy (policy server) | ${f(median(rows.map((r) => r.train)))} | ${((100 * sum(rows.map((r) => r.train))) / total).toFixed(1)} % |`,
      `| **trainer overhead** (the rest: sampling, advantages, metrics, appends) | ${f(median(rows.map((r) => r.overhead)))} | **${((100 * overhead) / total).toFixed(2)} %** (target ≤ 3 %) |`,
      '',
      `Scoring overlapped with generation: median ${(100 * median(rows.map((r) => r.hidden))).toFixed(0)} % of the scoring span (first score start to last score end, median ${f(median(rows.map((r) => r.span)))} s) ran while the server was still generating.`,
      '',
      `Overlap against its baseline, measured: after the job, on the same trained server and reward engine, ${ROUNDS} rounds of one step's generate + score (${grpo.promptsPerStep} prompts × G ${grpo.groupSize}, the same prompts and seed in both modes, each mode first in half the rounds):`,
      '',
      '| mode | median s per step (generate + score) | min | max |',
      '|---|---|---|---|',
      `| scoring after generation (baseline: generate all, then score) | ${f(after)} | ${f(Math.min(...times.after))} | ${f(Math.max(...times.after))} |`,
      `| scoring as completions stream in (the trainer) | ${f(over)} | ${f(Math.min(...times.overlapped))} | ${f(Math.max(...times.overlapped))} |`,
      '',
      `Overlapped / baseline = ${(over / after).toFixed(2)} (${((100 * (after - over)) / after).toFixed(0)} % of the generate + score time saved).`,
      '',
      `Load average (1 min) on this ${cpus().length}-core machine: ${loadStart.toFixed(1)} when the bench started, ${loadEnd.toFixed(1)} when it ended (other work may share the cores; the two modes alternate so that both see the same load).`,
    ].join('\n');
  } finally {
    await server.stop();
  }
}
