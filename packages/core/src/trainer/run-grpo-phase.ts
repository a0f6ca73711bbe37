// The GRPO / Dr.GRPO phase runner: eval before, `steps` steps with evals every k, eval after.
import type { GrpoPhaseConfig } from '../config/job-config-types.ts';
import { grpoStep } from './grpo-step.ts';
import type { PhaseContext } from './phase-context.ts';
import { stepSeed } from './seeded-random.ts';

/** Runs a `{ type: 'grpo' }` phase from `ctx.startStep`. */
export async function runGrpoPhase(ctx: PhaseContext, phase: GrpoPhaseConfig): Promise<void> {
  const engine = await ctx.rewards();
  const every = ctx.config.eval?.every ?? 0;
  if (ctx.startStep === 0) await ctx.evaluate(0);
  for (let step = ctx.startStep + 1; step <= phase.steps; step++) {
    if (ctx.signal.aborted) return;
    const globalStep = ctx.globalStepOffset + step;
    const result = await grpoStep(ctx.client, engine, ctx.data.train, phase, { seed: stepSeed(ctx.config.seed, ctx.phaseIndex, step), step: globalStep, dedupe: ctx.config.scoring.dedupe, signal: ctx.signal, chatTemplateKwargs: { ...ctx.config.dataset.chatTemplateKwargs, ...phase.chatTemplateKwargs } });
    if (result.infraErrors.length) ctx.logger.warn(`step ${globalStep}: ${result.metrics['reward/status/infra_error']} completion(s) had sandbox infrastructure errors (excluded, not scored 0): ${result.infraErrors.slice(0, 3).join('; ')}`);
    ctx.logSamples(result.samples);
    ctx.logMetrics(step, result.metrics);
    if ((every > 0 && step % every === 0) || step === phase.steps) await ctx.evaluate(step);
    await ctx.endStep(step);
    ctx.progress({ step, total: phase.steps, metrics: { reward: result.metrics['reward/mean'] as number | null, loss: result.metrics.loss as number | null } });
  }
}
