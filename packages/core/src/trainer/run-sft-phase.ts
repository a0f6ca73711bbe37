// The SFT phase runner: demonstrations { prompt, completion } through /v1/train/mol with every completion token CE.
import { errors as commonErrors, readJsonlFile } from '@molrl/common';
import type { SftPhaseConfig } from '../config/job-config-types.ts';
import type { PhaseContext } from './phase-context.ts';
import { sampleWithoutReplacement, seededRandom, stepSeed } from './seeded-random.ts';

/** A demonstration. */
export interface Demonstration {
  prompt: string;
  completion: string;
}

/** Reads a demonstrations JSONL file; CONFIG_INVALID lists every bad line. */
export function readDemonstrations(file: string): Demonstration[] {
  const out: Demonstration[] = [];
  const problems: string[] = [];
  for (const { line, value, error } of readJsonlFile(file)) {
    const v = value as Partial<Demonstration> | undefined;
    if (error !== undefined || typeof v?.prompt !== 'string' || typeof v?.completion !== 'string') problems.push(`${file}:${line}: ${error ?? 'expected { "prompt": string, "completion": string }'}`);
    else out.push({ prompt: v.prompt, completion: v.completion });
  }
  if (problems.length || out.length === 0) throw commonErrors.CONFIG_INVALID(`demonstrations ${file} are invalid:\n  ${problems.slice(0, 50).join('\n  ') || 'no rows'}`, file, { problems });
  return out;
}

/** Learning rate at `step` (1-based) of `steps`: linear warm-up, then constant or cosine to 0. */
export function sftLearningRate(phase: Pick<SftPhaseConfig, 'learningRate' | 'schedule' | 'warmupSteps' | 'steps'>, step: number): number {
  if (step <= phase.warmupSteps) return (phase.learningRate * step) / Math.max(1, phase.warmupSteps);
  if (phase.schedule === 'constant') return phase.learningRate;
  const progress = (step - 1 - phase.warmupSteps) / Math.max(1, phase.steps - phase.warmupSteps); // 0 at the first step after warm-up, < 1 at the last (lr stays > 0)
  return 0.5 * phase.learningRate * (1 + Math.cos(Math.PI * progress));
}

/** Runs a `{ type: 'sft' }` phase from `ctx.startStep`. */
export async function runSftPhase(ctx: PhaseContext, phase: SftPhaseConfig): Promise<void> {
  const demos = readDemonstrations(phase.data);
  let sums = { loss: 0, n: 0, ms: 0 };
  for (let step = ctx.startStep + 1; step <= phase.steps; step++) {
    if (ctx.signal.aborted) return;
    const batch = sampleWithoutReplacement(demos, phase.batchSize, seededRandom(stepSeed(ctx.config.seed, ctx.phaseIndex, step)));
    const lr = sftLearningRate(phase, step);
    const t0 = performance.now();
    const res = await ctx.client.trainMol(
      {
        examples: batch.map((d) => ({ segments: [{ text: d.prompt, loss: 'none' as const }, { text: d.completion, loss: 'ce' as const }] })),
        mode: 'ce',
        microBatchSize: phase.microBatchSize,
        learningRate: lr,
      },
      { signal: ctx.signal },
    );
    sums = { loss: sums.loss + res.ce, n: sums.n + 1, ms: sums.ms + performance.now() - t0 };
    if (step % phase.logEvery === 0 || step === phase.steps) {
      ctx.logMetrics(step, { 'sft/loss': sums.loss / sums.n, 'sft/learning_rate': lr, grad_norm: res.gradNorm ?? null, 'time/train': sums.ms / sums.n / 1000 });
    }
    await ctx.endStep(step);
    if (step % phase.logEvery === 0 || step === phase.steps) {
      ctx.progress({ step, total: phase.steps, metrics: { loss: sums.loss / sums.n } });
      sums = { loss: 0, n: 0, ms: 0 };
    }
  }
}
