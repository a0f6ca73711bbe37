// npm run bench -- train: the quickstart's GRPO step, split into server, sandbox and trainer time.
// Trainer overhead = wall time of a step (metrics line to metrics line) minus the time spent waiting for the
// policy server (generate, train) and for scoring not hidden behind generation. Target: <= 3 %.
// Hidden scoring = share of the scoring span (first score start to last score end) that overlapped generation;
// the baseline is scoring after generation (nothing hidden), measured as generate + score span.
import { readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readConfigFile } from '@molrl/common';
import { runTrainJob, validateJobConfig } from '@molrl/core';

const GRPO_STEPS = 20;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

export default async function bench(): Promise<string> {
  const file = fileURLToPath(new URL('../examples/quickstart/config.json', import.meta.url));
  const raw = readConfigFile(file) as Record<string, any>;
  raw.runsDir = mkdtempSync(join(tmpdir(), 'molrl-bench-train-'));
  raw.phases[1].steps = GRPO_STEPS;
  delete raw.eval;
  const config = validateJobConfig(raw, join(file, '..'));
  const result = await runTrainJob({ config, logger: { info() {}, warn: (m) => process.stderr.write(`${m}\n`) } });
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
  const sequential = sum(rows.map((r) => r.gen + r.span));
  const overlapped = sum(rows.map((r) => r.gen + r.exposed));
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
    `Scoring overlapped with generation: median ${(100 * median(rows.map((r) => r.hidden))).toFixed(0)} % of the scoring span (first score start to last score end, median ${f(median(rows.map((r) => r.span)))} s) ran while the server was still generating. Generate + score took ${f(overlapped / rows.length)} s per step overlapped against ${f(sequential / rows.length)} s for the baseline of scoring after generation (${((100 * (sequential - overlapped)) / sequential).toFixed(0)} % saved).`,
  ].join('\n');
}
