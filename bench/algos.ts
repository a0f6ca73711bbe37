// npm run bench -- algos [--seeds=2,3] [--variants=default,maskTruncated] [--steps=50] [--rows=LOG]: the quickstart's GRPO phase with each
// algorithm option (mu updates, mini-batches, gspo, cispo, maskTruncated, overlong, dynamic sampling) against the
// default, from one shared SFT checkpoint, same seeds: steps until the faulted class's greedy accuracy reaches 0.8
// (evals every EVAL_EVERY steps; the run stops there), seconds per step, and whether the reward rose without NaN.
import { mkdtempSync, readFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readConfigFile } from '@molrl/common';
import { runTrainJob, validateJobConfig } from '@molrl/core';
import { builtinPlugins } from '@molrl/plugins';
import { launchPolicyServer } from '@molrl/policy-client';

const EVAL_EVERY = 5;
const GOAL = 0.8; // eval/greedy/accuracy/faulted
const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);

/** The options compared, each alone on top of the quickstart's GRPO phase. */
export const VARIANTS: Record<string, object> = {
  default: {},
  'updatesPerBatch 2': { updatesPerBatch: 2 },
  'miniBatches 2': { miniBatches: 2 },
  'lossType gspo': { lossType: 'gspo' },
  'lossType cispo': { lossType: 'cispo' },
  maskTruncated: { maskTruncated: true },
  'overlong {buffer 10, penalty 0.5}': { overlong: { buffer: 10, penalty: 0.5 } },
  'dynamicSampling {maxGenerationRounds 3}': { dynamicSampling: { maxGenerationRounds: 3 } },
};

const median = (xs: number[]) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] : NaN);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const quiet = { info() {}, warn: (m: string) => process.stderr.write(`${m}\n`) };
type Line = Record<string, unknown>;
/** One run's result (also logged to stderr as `algos: <json>`, which `--rows=FILE` reads back). */
interface Row {
  name: string;
  seed: number;
  at0: number;
  reached: number | null;
  last: number;
  r0: number;
  r1: number;
  nan: boolean;
  sps: number;
  steps: number;
}

/** The section's text from the runs' rows. */
function report(rows: Row[], maxSteps: number, load: string): string {
  const byDefault = new Map(rows.filter((r) => r.name === 'default').map((r) => [r.seed, r]));
  const table = rows.map((r) => {
    const d = byDefault.get(r.seed);
    const ratio = d ? (r.sps / d.sps).toFixed(2) : '—';
    return `| ${r.name} | ${r.seed} | ${r.at0.toFixed(2)} | ${r.reached ?? `not in ${maxSteps}`} | ${r.last.toFixed(2)} | ${r.r0.toFixed(3)} → ${r.r1.toFixed(3)} | ${r.nan ? 'yes' : 'no'} | ${r.sps.toFixed(2)} | ${ratio} |`;
  });
  return [
    `The quickstart's GRPO phase (examples/quickstart/config.json: Dr.GRPO, 16 prompts × G 8, T 1, maxTokens 40, reward:code-execution in the docker sandbox) from one shared checkpoint of its SFT phase, once per option (each alone on top of the default) and seed; the server, the job seed and the SFT weights are the same for every option of a seed. Evals every ${EVAL_EVERY} steps (256 questions, greedy per class, one sampled run); a run stops at the first eval with faulted-class greedy accuracy ≥ ${GOAL}, else after ${maxSteps} steps. "steps to ≥ ${GOAL}" has a resolution of ${EVAL_EVERY} steps. Reward: mean train reward of the first 3 and the last 3 steps. s/step: median of \`time/step\` (generate + score + train, evals excluded); ratio against the default of the same seed.`,
    '',
    `| option | seed | faulted greedy after SFT | steps to ≥ ${GOAL} | faulted greedy at the end | train reward first → last | NaN | s/step | s/step vs default |`,
    '|---|---|---|---|---|---|---|---|---|',
    ...table,
    '',
    `normalize_then_sum is not in the table: the quickstart has one reward plugin, where it equals sum_then_normalize under Dr.GRPO. ${load}`,
  ].join('\n');
}

export default async function bench(): Promise<string> {
  const file = fileURLToPath(new URL('../examples/quickstart/config.json', import.meta.url));
  const base = readConfigFile(file) as Record<string, any>;
  const logged = arg('rows');
  if (logged) {
    // The rows an interrupted run logged (`algos: {...}` lines of its stderr), formatted as a full run would.
    const rows = readFileSync(logged, 'utf8').split('\n').filter((l) => l.startsWith('algos: {')).map((l) => JSON.parse(l.slice(7)) as Row);
    return report(rows, Number(arg('steps') ?? base.phases[1].steps), `The rows were logged by a run of this bench stopped before its last seed finished (the time of the session ran out), read back with --rows. The load of this shared 2-core machine changed during that run (other work on the cores; the 1-minute load average fell from about 22 to about 7), so rows measured later ran faster: s/step is comparable only between rows measured close together.`);
  }
  const seeds = (arg('seeds') ?? String(base.seed)).split(',').map(Number);
  const names = arg('variants')?.split(',') ?? Object.keys(VARIANTS);
  const maxSteps = Number(arg('steps') ?? base.phases[1].steps);
  const runsDir = mkdtempSync(join(tmpdir(), 'molrl-bench-algos-'));
  const loadStart = loadavg()[0];

  // One SFT run, checkpointed: every GRPO run starts from these weights, optimizer state and RNG.
  const sftDir = join(runsDir, 'sft-checkpoint');
  const sftServer = await launchPolicyServer({ model: base.model, modelConfig: base.modelConfig, seed: base.seed, threads: base.server.start.threads, checkpointRoot: runsDir, onLog: () => {} });
  try {
    const sft = validateJobConfig({ ...base, name: 'sft', runsDir, server: { url: sftServer.client.url }, phases: [base.phases[0]], eval: undefined }, join(file, '..'));
    await runTrainJob({ config: sft, builtins: builtinPlugins, logger: quiet });
    await sftServer.client.saveCheckpoint({ path: sftDir });
  } finally {
    await sftServer.stop();
  }

  const rows: Row[] = [];
  for (const seed of seeds) {
    for (const name of names) {
      process.stderr.write(`algos: ${name}, seed ${seed}\n`);
      const server = await launchPolicyServer({ model: base.model, modelConfig: base.modelConfig, seed, threads: base.server.start.threads, checkpointRoot: runsDir, onLog: () => {} });
      try {
        await server.client.loadCheckpoint({ path: sftDir });
        const grpo = { ...base.phases[1], steps: maxSteps, ...VARIANTS[name] };
        const config = validateJobConfig(
          { ...base, name: `grpo-${seed}-${rows.length}`, runsDir, seed, server: { url: server.client.url }, phases: [grpo], eval: { ...base.eval, every: EVAL_EVERY, runs: 1 } },
          join(file, '..'),
        );
        const stop = new AbortController();
        const lines: Line[] = [];
        await runTrainJob({
          config,
          builtins: builtinPlugins,
          logger: quiet,
          signal: stop.signal,
          onMetrics: (l) => {
            lines.push(l as Line);
            if (typeof l['eval/greedy/accuracy/faulted'] === 'number' && l['eval/greedy/accuracy/faulted'] >= GOAL) stop.abort();
          },
        });
        const evals = lines.filter((l) => typeof l['eval/greedy/accuracy/faulted'] === 'number');
        const steps = lines.filter((l) => typeof l['time/step'] === 'number');
        const rewards = steps.map((l) => l['reward/mean'] as number);
        const hit = evals.find((l) => (l['eval/greedy/accuracy/faulted'] as number) >= GOAL);
        rows.push({
          name,
          seed,
          at0: evals[0]['eval/greedy/accuracy/faulted'] as number,
          reached: hit ? (hit.step as number) : null,
          last: evals[evals.length - 1]['eval/greedy/accuracy/faulted'] as number,
          r0: mean(rewards.slice(0, 3)),
          r1: mean(rewards.slice(-3)),
          nan: lines.some((l) => Object.values(l).some((v) => typeof v === 'number' && !Number.isFinite(v))) || steps.some((l) => l.loss === null && l.updates !== 0),
          sps: median(steps.map((l) => l['time/step'] as number)),
          steps: steps.length,
        });
        process.stderr.write(`algos: ${JSON.stringify(rows[rows.length - 1])}\n`);
      } finally {
        await server.stop();
      }
    }
  }

  return report(rows, maxSteps, `Load average (1 min) on this shared 2-core machine: ${loadStart.toFixed(1)} at the start, ${loadavg()[0].toFixed(1)} at the end (other work shares the cores; s/step is comparable only within a seed's rows, measured one after another).`);
}
