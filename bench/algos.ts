// npm run bench -- algos [--seeds=1,2] [--variants=default,maskTruncated] [--steps=50] [--eval-every=1] [--rows=FILE] [--dir=DIR] [--report]:
// the quickstart's GRPO phase with each algorithm option (mu updates, mini-batches, gspo, cispo, maskTruncated,
// overlong, dynamic sampling) against the default, from one SFT checkpoint per seed (the quickstart's SFT phase
// with that seed), same seeds: steps until the faulted class's greedy accuracy reaches 0.8 (evals every
// --eval-every steps; the run stops there), seconds per step, whether the reward rose without NaN, and the load average around
// each row. `--rows=FILE` appends each finished row to FILE and skips the rows FILE already holds, so a stopped run
// resumes where it stopped; `--dir=DIR` keeps the SFT checkpoints (and runs) there, so a resumed run reuses them;
// `--report` writes the section from FILE's rows without running the missing ones (it lists them).
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readConfigFile } from '@molrl/common';
import { runTrainJob, validateJobConfig } from '@molrl/core';
import { builtinPlugins } from '@molrl/plugins';
import { launchPolicyServer } from '@molrl/policy-client';

const EVAL_EVERY = 1; // default of --eval-every: the tuned quickstart reaches the goal within 5-10 steps
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

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : (s[Math.floor((s.length - 1) / 2)] + s[Math.ceil((s.length - 1) / 2)]) / 2;
};
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const quiet = { info() {}, warn: (m: string) => process.stderr.write(`${m}\n`) };
/** Aborted by SIGINT / SIGTERM (handlers installed while bench() runs): the run in progress stops and its row is not logged. */
let interrupted = new AbortController();
const checkInterrupted = () => {
  if (interrupted.signal.aborted) throw new Error(`bench algos: stopped by ${String(interrupted.signal.reason)}; the rows finished so far are logged (--rows resumes from them), the run in progress is not`);
};
type Line = Record<string, unknown>;
/** One run's result (logged to stderr, and appended to `--rows=FILE`, as `algos: <json>`). */
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
  /** 1-minute load average when the row's run started and ended (absent in rows logged before it was recorded). */
  load0?: number;
  load1?: number;
  /** Wall seconds of the row's run (GRPO steps and evals). */
  wall?: number;
  /** eval/reward/mean (256 questions sampled at T=1) at the first and the last eval (absent in rows logged before it was recorded). */
  e0?: number;
  e1?: number;
  /** Steps between evals (absent in rows logged before it was recorded: 5). */
  every?: number;
  /** Samples whose reward was a sandbox infrastructure error (excluded from the reward, never scored 0). */
  infra?: number;
}
const ROW_PREFIX = 'algos: {';

/** The quickstart's SFT and GRPO phases, as its config file has them (every run of this bench derives from it). */
function quickstartPhases(base: Record<string, any>): { sft: Record<string, any>; grpo: Record<string, any> } {
  const sft = base.phases.find((p: { type: string }) => p.type === 'sft');
  const grpo = base.phases.find((p: { type: string }) => p.type === 'grpo');
  if (!sft || !grpo) throw new Error(`bench algos: examples/quickstart/config.json needs an sft and a grpo phase, has ${base.phases.map((p: { type: string }) => p.type).join(', ')}`);
  return { sft, grpo };
}

/** The rows a log holds (`algos: {...}` lines: the file `--rows` appends to, or a run's stderr). */
function readRows(file: string): Row[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter((l) => l.startsWith(ROW_PREFIX)).map((l) => JSON.parse(l.slice(ROW_PREFIX.length - 1)) as Row);
}

/**
 * Per option against the default of the same seed: steps to the goal per seed, in how many seeds it got there sooner /
 * as soon / later (a run that never got there counts as later than any that did), and the median s/step ratio.
 */
function summary(rows: Row[], seeds: number[], maxSteps: number): string[] {
  const at = (r: Row | undefined) => (r === undefined ? undefined : (r.reached ?? Infinity));
  const names = [...new Set(rows.map((r) => r.name))];
  const lines = names.map((name) => {
    const cmp = seeds.flatMap((seed) => {
      const o = at(rows.find((r) => r.name === name && r.seed === seed));
      const d = at(rows.find((r) => r.name === 'default' && r.seed === seed));
      return o === undefined || d === undefined ? [] : [Math.sign(o - d) || 0];
    });
    const steps = seeds.map((seed) => {
      const r = rows.find((x) => x.name === name && x.seed === seed);
      return r === undefined ? '—' : String(r.reached ?? `>${maxSteps}`);
    });
    const ratios = seeds.flatMap((seed) => {
      const r = rows.find((x) => x.name === name && x.seed === seed);
      const d = rows.find((x) => x.name === 'default' && x.seed === seed);
      return r && d ? [r.sps / d.sps] : [];
    });
    const count = (v: number) => cmp.filter((c) => c === v).length;
    const vs = name === 'default' ? '—' : `${count(-1)} / ${count(0)} / ${count(1)}`;
    return `| ${name} | ${steps.join(' / ')} | ${vs} | ${ratios.length ? median(ratios).toFixed(2) : '—'} |`;
  });
  return [`| option | steps to ≥ ${GOAL}, seed ${seeds.join(' / ')} | seeds sooner / as soon / later than the default | s/step vs default (median over seeds) |`, '|---|---|---|---|', ...lines];
}

/** The section's text from the runs' rows (in the order of `seeds` then `names`; `missing` lists the rows not run). */
function report(rows: Row[], seeds: number[], maxSteps: number, every: number, grpo: Record<string, any>, missing: string[]): string {
  const byDefault = new Map(rows.filter((r) => r.name === 'default').map((r) => [r.seed, r]));
  const load = (r: Row) => (r.load0 === undefined || r.load1 === undefined ? '—' : `${r.load0.toFixed(1)} → ${r.load1.toFixed(1)}`);
  const table = rows.map((r) => {
    const d = byDefault.get(r.seed);
    const ratio = d ? (r.sps / d.sps).toFixed(2) : '—';
    return `| ${r.name} | ${r.seed} | ${r.at0.toFixed(2)} | ${r.reached ?? `not in ${maxSteps}`} | ${r.last.toFixed(2)} | ${r.r0.toFixed(3)} → ${r.r1.toFixed(3)} | ${r.e0 === undefined || r.e1 === undefined ? '—' : `${r.e0.toFixed(3)} → ${r.e1.toFixed(3)}`} | ${r.nan ? 'yes' : 'no'} | ${r.infra ?? '—'} | ${r.sps.toFixed(2)} | ${ratio} | ${load(r)} |`;
  });
  const schedule = `lr ${grpo.learningRate}, warm-up ${grpo.warmupSteps ?? 0} steps, ${grpo.schedule ?? 'constant'}${grpo.resetOptimizer ? ', fresh AdamW moments' : ''}`;
  return [
    `The quickstart's GRPO phase (examples/quickstart/config.json: ${grpo.estimator ?? 'grpo'}, ${grpo.promptsPerStep} prompts × G ${grpo.groupSize}, T ${grpo.sampling?.temperature}, maxTokens ${grpo.sampling?.maxTokens}, ${schedule}, reward:code-execution in the docker sandbox), once per option (each alone on top of the default) and seed, from a checkpoint of the quickstart's SFT phase run with that seed; the server, the job seed and the SFT weights are the same for every option of a seed. Evals every ${every === 1 ? 'step' : `${every} steps`} (256 questions, greedy per class, one sampled run); a run stops at the first eval with faulted-class greedy accuracy ≥ ${GOAL}, else after ${maxSteps} steps. ${every === 1 ? '' : `"steps to ≥ ${GOAL}" has a resolution of ${every} steps. `}Train reward: mean train reward of the first 3 and the last 3 steps (they overlap in runs shorter than 6 steps). Eval reward: \`eval/reward/mean\` (the 256 questions sampled once at T=1) at the first eval (after SFT) and the last. Sandbox infra errors: samples of the run whose scoring failed on the sandbox (excluded from the reward, never scored 0). s/step: median of \`time/step\` (generate + score + train, evals excluded); ratio against the default of the same seed. Load: the 1-minute load average of this shared 2-core machine when the row's run started and ended.`,
    '',
    `| option | seed | faulted greedy after SFT | steps to ≥ ${GOAL} | faulted greedy at the end | train reward first → last | eval reward first → last | NaN | sandbox infra errors | s/step | s/step vs default | load start → end |`,
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...table,
    '',
    'Per option, against the default of the same seed:',
    '',
    ...summary(rows, seeds, maxSteps),
    '',
    `s/step is skewed by the load: other work shared the 2 cores during the run, so a row measured at a higher load average is slower for that reason alone; compare s/step only between rows with similar load. normalize_then_sum is not in the table: the quickstart has one reward plugin, where it equals sum_then_normalize under Dr.GRPO.${missing.length ? ` Not measured (the run was stopped before them): ${missing.join('; ')}.` : ''}`,
  ].join('\n');
}

export default async function bench(): Promise<string> {
  interrupted = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => interrupted.abort(signal);
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  try {
    return await measure();
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
  }
}

async function measure(): Promise<string> {
  const file = fileURLToPath(new URL('../examples/quickstart/config.json', import.meta.url));
  const base = readConfigFile(file) as Record<string, any>;
  const phases = quickstartPhases(base);
  const seeds = (arg('seeds') ?? String(base.seed)).split(',').map(Number);
  const names = arg('variants')?.split(',') ?? Object.keys(VARIANTS);
  const unknown = names.filter((n) => !(n in VARIANTS));
  if (unknown.length) throw new Error(`bench algos: unknown --variants ${unknown.join(', ')}; expected some of: ${Object.keys(VARIANTS).join(', ')}`);
  const maxSteps = Number(arg('steps') ?? phases.grpo.steps);
  const every = Number(arg('eval-every') ?? EVAL_EVERY);
  const rowsFile = arg('rows');
  const logged = (rowsFile ? readRows(rowsFile) : []).filter((r) => (r.every ?? 5) === every); // rows of another eval cadence are not comparable
  const find = (name: string, seed: number) => logged.find((r) => r.name === name && r.seed === seed);
  const runsDir = arg('dir') ?? mkdtempSync(join(tmpdir(), 'molrl-bench-algos-'));
  mkdirSync(runsDir, { recursive: true });

  if (!process.argv.includes('--report')) {
    for (const seed of seeds) {
      const todo = names.filter((n) => !find(n, seed));
      if (todo.length === 0) continue;
      const sftDir = await sftCheckpoint(base, phases.sft, seed, runsDir, join(file, '..'));
      for (const name of todo) {
        const row = await runOption(base, { ...phases.grpo, steps: maxSteps, ...VARIANTS[name] }, name, seed, every, sftDir, runsDir, join(file, '..'));
        const line = `${ROW_PREFIX.slice(0, -1)}${JSON.stringify(row)}\n`;
        process.stderr.write(line);
        if (rowsFile) appendFileSync(rowsFile, line);
        logged.push(row);
      }
    }
  }
  const rows = seeds.flatMap((seed) => names.flatMap((name) => find(name, seed) ?? []));
  const missing = seeds.flatMap((seed) => {
    const absent = names.filter((n) => !find(n, seed));
    return absent.length === 0 ? [] : [`seed ${seed}: ${absent.length === names.length ? 'all options' : absent.join(', ')}`];
  });
  return report(rows, seeds, maxSteps, every, phases.grpo, missing);
}

/**
 * The quickstart's SFT phase run with `seed` on a fresh server, checkpointed to `<runsDir>/sft-seed-<seed>` (weights,
 * optimizer state, RNG); a checkpoint already there (a resumed bench) is reused.
 */
async function sftCheckpoint(base: Record<string, any>, sftPhase: Record<string, any>, seed: number, runsDir: string, configDir: string): Promise<string> {
  const sftDir = join(runsDir, `sft-seed-${seed}`);
  if (existsSync(join(sftDir, 'state.json'))) return sftDir;
  process.stderr.write(`algos: SFT, seed ${seed}\n`);
  const server = await launchPolicyServer({ model: base.model, modelConfig: base.modelConfig, seed, threads: base.server.start.threads, checkpointRoot: runsDir, onLog: () => {} });
  try {
    const sft = validateJobConfig({ ...base, name: `sft-${seed}`, runsDir, seed, server: { url: server.client.url }, phases: [sftPhase], eval: undefined }, configDir);
    await runTrainJob({ config: sft, builtins: builtinPlugins, logger: quiet, signal: interrupted.signal });
    checkInterrupted();
    await server.client.saveCheckpoint({ path: sftDir });
  } finally {
    await server.stop();
  }
  return sftDir;
}

/** One option's GRPO run from the seed's SFT checkpoint, stopped at the first eval that reaches GOAL. */
async function runOption(base: Record<string, any>, grpo: Record<string, any>, name: string, seed: number, every: number, sftDir: string, runsDir: string, configDir: string): Promise<Row> {
  process.stderr.write(`algos: ${name}, seed ${seed}\n`);
  const load0 = loadavg()[0];
  const t0 = Date.now();
  const server = await launchPolicyServer({ model: base.model, modelConfig: base.modelConfig, seed, threads: base.server.start.threads, checkpointRoot: runsDir, onLog: () => {} });
  try {
    await server.client.loadCheckpoint({ path: sftDir });
    const config = validateJobConfig(
      { ...base, name: `grpo-${seed}-${name.replace(/[^a-zA-Z0-9]+/g, '-')}`, runsDir, seed, server: { url: server.client.url }, phases: [grpo], eval: { ...base.eval, every, runs: 1 } },
      configDir,
    );
    const stop = new AbortController();
    interrupted.signal.addEventListener('abort', () => stop.abort(), { once: true });
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
    checkInterrupted();
    const evals = lines.filter((l) => typeof l['eval/greedy/accuracy/faulted'] === 'number');
    const steps = lines.filter((l) => typeof l['time/step'] === 'number');
    const rewards = steps.map((l) => l['reward/mean'] as number);
    const hit = evals.find((l) => (l['eval/greedy/accuracy/faulted'] as number) >= GOAL);
    return {
      name,
      seed,
      at0: evals[0]['eval/greedy/accuracy/faulted'] as number,
      e0: evals[0]['eval/reward/mean'] as number,
      e1: evals[evals.length - 1]['eval/reward/mean'] as number,
      reached: hit ? (hit.step as number) : null,
      last: evals[evals.length - 1]['eval/greedy/accuracy/faulted'] as number,
      r0: mean(rewards.slice(0, 3)),
      r1: mean(rewards.slice(-3)),
      nan: lines.some((l) => Object.values(l).some((v) => typeof v === 'number' && !Number.isFinite(v))) || steps.some((l) => l.loss === null && l.updates !== 0),
      sps: median(steps.map((l) => l['time/step'] as number)),
      steps: steps.length,
      load0,
      load1: loadavg()[0],
      wall: Math.round((Date.now() - t0) / 1000),
      every,
      infra: steps.reduce((a, l) => a + ((l['reward/status/infra_error'] as number | undefined) ?? 0), 0),
    };
  } finally {
    await server.stop();
  }
}
