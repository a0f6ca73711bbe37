// A GRPO step's generation: one round of promptsPerStep prompts x G, or DAPO dynamic sampling's rounds until enough informative groups.
import type { PolicyClient } from '@molrl/policy-client';
import type { DatasetRow } from '../dataset/load-dataset.ts';
import type { RewardEngine } from '../types.ts';
import { generateAndScore, type RolloutResult } from './generate-and-score.ts';
import { isInformative } from './grpo-advantages.ts';
import type { GrpoPhaseConfig } from './grpo-phase.ts';
import { sampleWithoutReplacement, seededRandom, stepSeed } from './seeded-random.ts';

/** The step's rollouts in order, and (dynamic sampling) which of their groups are trained on. */
export interface GenerationRounds {
  rollouts: RolloutResult[];
  /** Per group of all rollouts (in order): trained on; undefined without dynamic sampling (all are). */
  keep?: boolean[];
}

/**
 * Round 0 draws the step's promptsPerStep prompts with the step seed (the same prompts and generation as without
 * dynamic sampling). With `dynamicSampling`, while fewer than promptsPerStep groups are informative (rewards not all
 * equal) and rounds are left, another round draws promptsPerStep prompts not yet used in this step; then the first
 * promptsPerStep informative groups are kept (DAPO, verl filter_groups), every other group is dropped.
 */
export async function generateRounds(
  client: PolicyClient,
  engine: RewardEngine,
  train: readonly DatasetRow[],
  phase: GrpoPhaseConfig,
  opts: { seed: number; step: number; dedupe?: boolean; signal?: AbortSignal; chatTemplateKwargs?: Record<string, unknown> },
): Promise<GenerationRounds> {
  const rounds = phase.dynamicSampling?.maxGenerationRounds ?? 1;
  const rollouts: RolloutResult[] = [];
  const used = new Set<string>();
  const informative = (r: RolloutResult) => r.groups.filter((g) => isInformative(g.map((c) => c.scored.score))).length;
  let found = 0;
  for (let round = 0; round < rounds && (round === 0 || found < phase.promptsPerStep); round++) {
    const pool = round === 0 ? train : train.filter((r) => !used.has(r.id));
    if (pool.length === 0) break;
    const seed = round === 0 ? opts.seed : stepSeed(opts.seed, round, 0);
    const rows = sampleWithoutReplacement(pool, phase.promptsPerStep, seededRandom(seed)); // B/G prompts
    rows.forEach((r) => used.add(r.id));
    const rollout = await generateAndScore(client, engine, rows, {
      n: phase.groupSize, // G: group size
      sampling: phase.sampling,
      seed,
      step: opts.step,
      idPrefix: round === 0 ? `step-${opts.step}` : `step-${opts.step}-round-${round}`,
      dedupe: opts.dedupe ?? true,
      ...(opts.chatTemplateKwargs ? { chatTemplateKwargs: opts.chatTemplateKwargs } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    rollouts.push(rollout);
    found += informative(rollout);
  }
  if (!phase.dynamicSampling) return { rollouts };
  let taken = 0;
  const keep = rollouts.flatMap((r) => r.groups).map((g) => isInformative(g.map((c) => c.scored.score)) && taken++ < phase.promptsPerStep);
  return { rollouts, keep };
}
