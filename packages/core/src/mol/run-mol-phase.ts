// The MoL phase runner (MoL-RL stage 1): CE on environment-feedback tokens, KL(p_theta || p_0) on the model's decisions.
import type { MolSegment, PolicyClient, TrainMolRequest } from '@molrl/policy-client';
import { serverMode } from '../traces/tag-segments.ts';
import type { PreparedTrace } from '../traces/trace-types.ts';
import type { PhaseContext } from '../trainer/phase-context.ts';
import { sftLearningRate } from '../trainer/run-sft-phase.ts';
import { batchAt, loadMolData } from './mol-data.ts';
import type { MolPhaseConfig } from './mol-phase-schema.ts';

/** The /v1/train/mol example of a prepared trace (segments as tagged by the variant). */
export function molExample(trace: PreparedTrace): { segments: MolSegment[] } {
  return { segments: trace.segments.map((s) => ({ role: s.role, text: s.text, loss: s.loss, ...(s.continues ? { continues: true } : {}) })) };
}

/** Token-weighted validation loss over `traces` (forward only: `evalOnly`, no optimizer step). */
export async function molValidationLoss(
  client: PolicyClient,
  traces: readonly PreparedTrace[],
  phase: Pick<MolPhaseConfig, 'variant' | 'batchSize' | 'microBatchSize'>,
  signal?: AbortSignal,
): Promise<{ loss: number; ce: number; kl: number; ceTokens: number; klTokens: number }> {
  let ce = 0;
  let kl = 0;
  let ceTokens = 0;
  let klTokens = 0;
  for (let i = 0; i < traces.length; i += phase.batchSize) {
    const req: TrainMolRequest = { examples: traces.slice(i, i + phase.batchSize).map(molExample), mode: serverMode(phase.variant), microBatchSize: phase.microBatchSize, evalOnly: true };
    const r = await client.trainMol(req, signal ? { signal } : {});
    ce += r.ce * r.ceTokens; // the server reports means: weight them back by their token counts
    kl += r.kl * r.klTokens;
    ceTokens += r.ceTokens;
    klTokens += r.klTokens;
  }
  const ceMean = ce / Math.max(1, ceTokens);
  const klMean = kl / Math.max(1, klTokens);
  return { loss: ceMean + klMean, ce: ceMean, kl: klMean, ceTokens, klTokens };
}

/**
 * Runs a `{ type: 'mol' }` phase from `ctx.startStep`: each step sends `batchSize` traces (seeded epoch order,
 * repeated exactly on resume) to /v1/train/mol, logs loss, ce, kl, ce_tokens, kl_tokens, and the validation
 * loss every `validation.every` steps and after the last; `ctx.endStep` checkpoints. The next phase (GRPO)
 * continues from the weights this leaves on the server.
 */
export async function runMolPhase(ctx: PhaseContext, phase: MolPhaseConfig): Promise<void> {
  const data = loadMolData(phase, ctx.config.seed, `phases[${ctx.phaseIndex}].dataset`);
  const s = data.summary;
  if (ctx.startStep === 0) {
    ctx.logger.info(`mol: ${data.train.length} training traces, ${data.validation.length} validation; ${s.dropped} dropped, ${s.truncated} truncated, ${s.bad.length} bad lines; ${s.tokens.ce} ce / ${s.tokens.kl} kl tokens (variant ${phase.variant})`);
    for (const b of s.bad.slice(0, 10)) ctx.logger.warn(`${phase.dataset}:${b.line}: ${b.error}`);
  }
  const mode = serverMode(phase.variant);
  for (let step = ctx.startStep + 1; step <= phase.steps; step++) {
    if (ctx.signal.aborted) return;
    const batch = batchAt(data.train, phase.batchSize, step, ctx.config.seed, ctx.phaseIndex);
    const lr = sftLearningRate(phase, step);
    const t0 = performance.now();
    const r = await ctx.client.trainMol({ examples: batch.map(molExample), mode, microBatchSize: phase.microBatchSize, learningRate: lr }, { signal: ctx.signal });
    const record: Record<string, number | null> = {
      loss: r.loss, // = ce + kl in mode 'mol' (1:1), ce otherwise
      ce: r.ce,
      kl: r.kl,
      ce_tokens: r.ceTokens,
      kl_tokens: r.klTokens,
      learning_rate: lr,
      grad_norm: r.gradNorm ?? null,
      'time/train': (performance.now() - t0) / 1000,
    };
    const every = phase.validation?.every ?? 0;
    if (data.validation.length && (step === phase.steps || (every > 0 && step % every === 0))) {
      const v = await molValidationLoss(ctx.client, data.validation, phase, ctx.signal);
      Object.assign(record, { 'val/loss': v.loss, 'val/ce': v.ce, 'val/kl': v.kl });
    }
    ctx.logMetrics(step, record);
    ctx.progress({ step, total: phase.steps, metrics: { loss: r.loss, ce: r.ce, kl: r.kl } });
    await ctx.endStep(step);
  }
}
