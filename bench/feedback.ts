// npm run bench -- feedback [--seeds=1,2,3] [--steps=20] [--tasks=quickstart,mol-drgrpo] [--variants=off,extended,importance]
// [--checkpoint=DIR] [--rows=LOG --note=TEXT]: the GRPO
// phase of examples/quickstart (after its SFT phase) and of examples/mol-drgrpo (after its MoL phase) with and without
// feedbackRegeneration, from one shared checkpoint of the first phase per task, same seeds: train reward and greedy
// accuracy per step and per second of training time.
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readConfigFile } from '@molrl/common';
import { benchRunsDir, firstPhaseCheckpoint, grpoFromCheckpoint, type JobJson, type MetricsLine } from './lib/feedback-runs.ts';

const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const EVAL_EVERY = 5;
const EVAL_SAMPLES = 128;

/** The variants compared: the task's GRPO phase as it is, and with feedback-guided regeneration. */
export const FEEDBACK_VARIANTS: Record<string, object> = {
  off: {},
  extended: { feedbackRegeneration: { rounds: 1, share: 1, mode: 'extended' } },
  importance: { feedbackRegeneration: { rounds: 1, share: 1, mode: 'importance', weightCap: 1 } },
};

/** The tasks: their config and what the bench changes in it (the same for every variant). */
const TASKS: Record<string, { config: string; note: string; override: (c: JobJson) => JobJson }> = {
  quickstart: {
    config: '../examples/quickstart/config.json',
    // x + y + o of the quickstart is about 70 tokens: the context grows from 64 to 128 (SFT and GRPO, every variant)
    note: 'examples/quickstart/config.json with the model context 128 instead of 64 (the extended prompt x + y + Observation is about 70 tokens), for every variant and its SFT phase',
    override: (c) => ({ ...c, modelConfig: { ...c.modelConfig, context: 128 } }),
  },
  'mol-drgrpo': { config: '../examples/mol-drgrpo/config.json', note: 'examples/mol-drgrpo/config.json as it is (context 320)', override: (c) => c },
};

/** What one run gives the tables. */
interface Run {
  task: string;
  variant: string;
  seed: number;
  /** Per eval: step, greedy accuracy, training seconds so far (sum of time/step), mean train reward of the steps since the previous eval. */
  evals: { step: number; greedy: number; seconds: number; reward: number | null }[];
  rewardFirst: number;
  rewardLast: number;
  secondsPerStep: number;
  regenerated: number | null;
  successRate: number | null;
  regenReward: number | null;
  nan: boolean;
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
const median = (xs: number[]) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] : NaN);
const nums = (lines: MetricsLine[], key: string) => lines.map((l) => l[key]).filter((v): v is number => typeof v === 'number');
const f = (x: number | null, d = 2) => (x === null || Number.isNaN(x) ? '—' : x.toFixed(d));

function summarize(task: string, variant: string, seed: number, lines: MetricsLine[]): Run {
  const steps = lines.filter((l) => typeof l['time/step'] === 'number');
  let seconds = 0;
  let from = 0;
  const evals: Run['evals'] = [];
  for (const l of lines) {
    if (typeof l['time/step'] === 'number') seconds += l['time/step'];
    if (typeof l['eval/greedy/accuracy'] === 'number') {
      const since = steps.filter((s) => (s.step as number) > from && (s.step as number) <= (l.step as number));
      evals.push({ step: l.step as number, greedy: l['eval/greedy/accuracy'], seconds, reward: since.length ? mean(nums(since, 'reward/mean')) : null });
      from = l.step as number;
    }
  }
  const rewards = nums(steps, 'reward/mean');
  const fb = (k: string) => (nums(steps, k).length ? mean(nums(steps, k)) : null);
  return {
    task, variant, seed, evals,
    rewardFirst: mean(rewards.slice(0, 3)),
    rewardLast: mean(rewards.slice(-3)),
    secondsPerStep: median(nums(steps, 'time/step')),
    regenerated: fb('feedback/regenerated'),
    successRate: fb('feedback/success_rate'),
    regenReward: fb('feedback/reward_mean'),
    nan: lines.some((l) => Object.values(l).some((v) => typeof v === 'number' && !Number.isFinite(v))) || steps.some((l) => l.loss === null && l.updates !== 0),
  };
}

function report(runs: Run[], steps: number, notes: string[], load: string): string {
  const out = [
    `Each task's GRPO phase (Dr.GRPO, 16 prompts × G 8, reward:code-execution in the docker sandbox) for ${steps} steps from one shared checkpoint of the task's first phase (quickstart: SFT; mol-drgrpo: MoL \`ce\` on its traces), once per variant and seed (the seed of the GRPO server and job; the first phase ran once, with the config's seed). \`extended\`: \`feedbackRegeneration: { rounds: 1, share: 1, mode: 'extended' }\` — every failing completion (score < 1, with feedback) of a trained group is generated again under x + y + its Observation and trained as an extra sample of that extended prompt; \`importance\`: the same regenerations trained under the original prompt x with the weight min(π(y'|x) / π(y'|x + o), 1). Evals every ${EVAL_EVERY} steps on ${EVAL_SAMPLES} eval questions (greedy accuracy over all classes). Training seconds: the sum of \`time/step\` (generate + score + regenerate + train; evals excluded).`,
    '',
    ...notes.map((n) => `- ${n}`),
    '',
    '| task | variant | seed | greedy at step 0 → end | train reward first 3 → last 3 steps | s/step (median) | training s | greedy gain per 100 training s | regenerated per step | their success rate | their reward | NaN |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of runs) {
    const first = r.evals[0];
    const last = r.evals[r.evals.length - 1];
    const gain = last && first && last.seconds > 0 ? ((last.greedy - first.greedy) / last.seconds) * 100 : NaN;
    out.push(`| ${r.task} | ${r.variant} | ${r.seed} | ${f(first?.greedy ?? NaN)} → ${f(last?.greedy ?? NaN)} | ${f(r.rewardFirst, 3)} → ${f(r.rewardLast, 3)} | ${f(r.secondsPerStep)} | ${f(last?.seconds ?? NaN, 0)} | ${f(gain, 3)} | ${f(r.regenerated, 1)} | ${f(r.successRate, 3)} | ${f(r.regenReward, 3)} | ${r.nan ? 'yes' : 'no'} |`);
  }
  out.push('', 'Means over the seeds, per eval step: greedy accuracy, mean train reward of the steps since the previous eval, training seconds so far.', '');
  out.push('| task | variant | step | greedy accuracy | train reward | training s |', '|---|---|---|---|---|---|');
  for (const task of [...new Set(runs.map((r) => r.task))]) {
    for (const variant of [...new Set(runs.map((r) => r.variant))]) {
      const rs = runs.filter((r) => r.task === task && r.variant === variant);
      if (!rs.length) continue;
      for (const step of [...new Set(rs.flatMap((r) => r.evals.map((e) => e.step)))].sort((a, b) => a - b)) {
        const at = rs.flatMap((r) => r.evals.filter((e) => e.step === step));
        const rewards = at.flatMap((e) => (e.reward === null ? [] : [e.reward]));
        out.push(`| ${task} | ${variant} | ${step} | ${f(mean(at.map((e) => e.greedy)))} | ${rewards.length ? f(mean(rewards), 3) : '—'} | ${f(mean(at.map((e) => e.seconds)), 0)} |`);
      }
    }
  }
  out.push('', load);
  return out.join('\n');
}

export default async function bench(): Promise<string> {
  const seeds = (arg('seeds') ?? '1,2,3').split(',').map(Number);
  const tasks = (arg('tasks') ?? Object.keys(TASKS).join(',')).split(',');
  const variants = (arg('variants') ?? Object.keys(FEEDBACK_VARIANTS).join(',')).split(',');
  const steps = Number(arg('steps') ?? 20);
  const logged = arg('rows');
  const load0 = loadavg()[0];
  const notes = tasks.map((t) => `${t}: ${TASKS[t].note}.`);
  if (logged) {
    // the runs an interrupted bench logged (`feedback: {...}` lines of its stderr)
    const runs = readFileSync(logged, 'utf8').split('\n').filter((l) => l.startsWith('feedback: {')).map((l) => JSON.parse(l.slice(10)) as Run);
    return report(runs, steps, notes, `The rows were read back with --rows from the log of a run of this bench. ${arg('note') ?? ''}`);
  }
  const runs: Run[] = [];
  const loads: number[] = [load0];
  for (const task of tasks) {
    const file = fileURLToPath(new URL(TASKS[task].config, import.meta.url));
    const raw = TASKS[task].override(readConfigFile(file) as JobJson);
    const base = { ...raw, eval: { ...raw.eval, samples: EVAL_SAMPLES } };
    // --checkpoint: the first phase's checkpoint of an earlier run of this bench (one task), e.g. to run seeds in parallel
    const given = arg('checkpoint');
    const runsDir = given ? dirname(given) : benchRunsDir(`feedback-${task}`);
    if (!given) process.stderr.write(`feedback: ${task}: first phase\n`);
    const checkpoint = given ?? (await firstPhaseCheckpoint(base, dirname(file), runsDir));
    for (const seed of seeds) {
      for (const variant of variants) {
        process.stderr.write(`feedback: ${task} ${variant} seed ${seed}\n`);
        const lines = await grpoFromCheckpoint(base, dirname(file), runsDir, checkpoint, seed, { steps, ...FEEDBACK_VARIANTS[variant] }, EVAL_EVERY);
        runs.push(summarize(task, variant, seed, lines));
        loads.push(loadavg()[0]);
        process.stderr.write(`feedback: ${JSON.stringify(runs[runs.length - 1])}\n`);
      }
    }
  }
  return report(runs, steps, notes, `Load average (1 min) on this shared 2-core machine over the runs: ${loads.map((l) => l.toFixed(1)).join(', ')} (other helpers' work shares the cores: seconds are comparable only between runs measured close together, i.e. the two variants of one seed; per-second numbers are skewed by that load).`);
}
