// Runs one phase of a job: prepares the server at the phase's start (optimizer, KL reference), then the phase's own run.
import { preparedPhase } from '../config/resolve-phases.ts';
import type { PhaseConfigBase } from './define-phase.ts';
import type { PhaseContext } from './phase-context.ts';

/**
 * Runs `phase` from `ctx.startStep` with the data its definition resolved (read once). At the phase's start
 * (not when resuming inside it: the checkpoint holds that state) the server is told whether to clear the
 * optimizer's moments and which weights the KL term compares against: the base, or a snapshot of the
 * weights now (`reference: 'phase-start'`, only taken when the phase's loss uses it).
 */
export async function runPhase(ctx: PhaseContext, phase: PhaseConfigBase): Promise<void> {
  const { definition, data } = preparedPhase(phase, ctx.config.seed, ctx.phaseIndex);
  const loaded = data(); // bad data fails here, before the server is touched
  if (ctx.startStep === 0) {
    const reference = definition.usesReference?.(phase) ? (phase.reference ?? 'base') : 'base';
    const started = await ctx.client.startPhase({ resetOptimizer: phase.resetOptimizer, reference }, { signal: ctx.signal });
    if (phase.resetOptimizer || reference !== 'base') ctx.logger.info(`phase ${ctx.phaseIndex + 1} (${phase.type}): ${phase.resetOptimizer ? 'optimizer reset' : 'optimizer kept'}, KL reference ${started.reference}`);
  }
  await definition.run(ctx, phase, loaded);
}
