// Feedback-guided regeneration: failing completions get their sandbox feedback appended to the prompt and are generated and scored again, within their group.
import { isMolrlError } from '@molrl/common';
import type { PolicyClient, SamplingParams } from '@molrl/policy-client';
import type { DatasetRow } from '../dataset/load-dataset.ts';
import type { RewardEngine } from '../types.ts';
import { extendPrompt } from './feedback-prompt.ts';
import { generateAndScore, type RolloutResult, type ScoredCompletion } from './generate-and-score.ts';
import { sampleRecord } from './sample-record.ts';
import { stepSeed } from './seeded-random.ts';

/** The GRPO phase's `feedbackRegeneration` option. */
export interface FeedbackRegeneration {
  /** Regeneration rounds: round r > 1 extends the chains still failing after round r - 1 by their new feedback. @default 1 */
  rounds: number;
  /** Share of each group's failing completions regenerated in round 1 (the first ceil(share x failing) by index). @default 1 */
  share: number;
  /**
   * 'extended': trained as extra on-policy samples of the extended prompt x + y + o; 'importance': trained as samples of
   * the original prompt x, the advantage times the detached weight min(pi_theta(y'|x) / pi_behav(y'|x + o), weightCap)
   * (the server's `moreRollouts[].reattach`). @default 'extended'
   */
  mode: 'extended' | 'importance';
  /** 'importance': upper bound of the weight. @default 1 */
  weightCap: number;
  /** A completion passes at score >= passScore (the built-in plugins' full marks are 1). @default 1 */
  passScore: number;
}

/** One regenerated completion and where it comes from. */
export interface RegeneratedCompletion {
  /** Index of its group among the step's groups. */
  group: number;
  /** Index in its group of the original completion the chain started from. */
  parent: number;
  /** Regeneration round, 1-based. */
  round: number;
  sample: ScoredCompletion;
}

/** The regeneration rounds of one step: one rollout per round (its rows in order) and the regenerated completions of each. */
export interface FeedbackRounds {
  rollouts: RolloutResult[];
  /** regenerated[k][j]: row j of rollouts[k]. */
  regenerated: RegeneratedCompletion[][];
  /** Chains left out because their extended prompt did not fit the model context (the server's PROMPT_TOO_LONG). */
  tooLong: number;
}

/** Index of the prompt a PROMPT_TOO_LONG answer of the policy server names (`prompts[i]`), else null. */
function tooLongPrompt(error: unknown): number | null {
  if (!isMolrlError(error) || error.details?.serverCode !== 'PROMPT_TOO_LONG') return null;
  const m = /^prompts\[(\d+)\]$/.exec(error.path ?? '');
  return m ? Number(m[1]) : null;
}

/** A completion that failed with feedback to show: scored (not abstained, no infra error), below passScore, with feedback text. */
export function isFailing(c: ScoredCompletion, passScore: number): boolean {
  return c.scored.status === 'ok' && c.scored.score !== null && c.scored.score < passScore && typeof c.scored.feedback === 'string' && c.scored.feedback.trim() !== '';
}

/** Round 1's picks: of each trained group, the first ceil(share x failing) failing completions by index (completions of a group are exchangeable). */
export function pickFailing(groups: ReadonlyArray<ReadonlyArray<ScoredCompletion>>, trained: readonly boolean[], share: number, passScore: number): { group: number; index: number }[] {
  return groups.flatMap((g, p) => {
    if (!trained[p]) return [];
    const failing = g.map((c, i) => ({ group: p, index: i, c })).filter((x) => isFailing(x.c, passScore));
    return failing.slice(0, Math.ceil(share * failing.length)).map(({ group, index }) => ({ group, index }));
  });
}

/**
 * Runs the rounds: each failing pick becomes a row `<id>#fb<round>.<k>` whose prompt is its chain's prompt extended by
 * the failed completion and its feedback (extendPrompt), same ground truth and metadata; one completion per row,
 * generated and scored like the step's rollout (seeded from the step seed and the round).
 */
export async function regenerateWithFeedback(
  client: PolicyClient,
  engine: RewardEngine,
  groups: ReadonlyArray<ReadonlyArray<ScoredCompletion>>,
  trained: readonly boolean[],
  option: FeedbackRegeneration,
  opts: { seed: number; step: number; sampling: SamplingParams; dedupe?: boolean; signal?: AbortSignal; chatTemplateKwargs?: Record<string, unknown> },
): Promise<FeedbackRounds> {
  const out: FeedbackRounds = { rollouts: [], regenerated: [], tooLong: 0 };
  let chains = pickFailing(groups, trained, option.share, option.passScore).map(({ group, index }) => ({ group, parent: index, row: groups[group][index].row, last: groups[group][index] }));
  for (let round = 1; round <= option.rounds && chains.length > 0; round++) {
    const extended = chains.map((c) => ({ ...c, row: { ...c.row, prompt: extendPrompt(c.row.prompt, c.last.completion.text, c.last.scored.feedback ?? '') } }));
    const generate = (cs: typeof extended) =>
      generateAndScore(client, engine, cs.map((c, k) => ({ ...c.row, id: `${groups[c.group][c.parent].row.id}#fb${round}.${k}` })), {
        n: 1,
        sampling: opts.sampling,
        seed: stepSeed(opts.seed, 7 + round, 1),
        step: opts.step,
        idPrefix: `step-${opts.step}-feedback-${round}`,
        dedupe: opts.dedupe ?? true,
        ...(opts.chatTemplateKwargs ? { chatTemplateKwargs: opts.chatTemplateKwargs } : {}),
        ...(opts.signal ? { signal: opts.signal } : {}),
      });
    let rollout: RolloutResult | null = null;
    while (!rollout && extended.length > 0) {
      try {
        rollout = await generate(extended);
      } catch (error) {
        const tooLong = tooLongPrompt(error);
        if (tooLong === null || tooLong >= extended.length) throw error;
        extended.splice(tooLong, 1); // the server names the first prompt over its context: leave that chain out, ask again
        out.tooLong++;
      }
    }
    if (!rollout) break;
    chains = extended;
    const done = rollout.groups.map((g, k) => ({ group: chains[k].group, parent: chains[k].parent, round, sample: g[0] }));
    out.rollouts.push(rollout);
    out.regenerated.push(done);
    chains = done.filter((d) => isFailing(d.sample, option.passScore)).map((d) => ({ group: d.group, parent: d.parent, row: d.sample.row, last: d.sample }));
  }
  return out;
}

/** The step's metrics of the regeneration: regenerated count, share now passing, their mean reward, rounds run. */
export function feedbackMetrics(fb: FeedbackRounds, passScore: number): Record<string, number | null> {
  const all = fb.regenerated.flat().map((r) => r.sample.scored);
  const scored = all.flatMap((s) => (s.score === null ? [] : [s.score]));
  return {
    'feedback/regenerated': all.length,
    'feedback/success_rate': scored.length ? scored.filter((s) => s >= passScore).length / scored.length : null,
    'feedback/reward_mean': scored.length ? scored.reduce((a, b) => a + b, 0) / scored.length : null,
    'feedback/rounds': fb.rollouts.length,
    'feedback/too_long': fb.tooLong,
  };
}

/** The samples-log records of the regenerated completions: their extended prompt, advantage, round and parent. */
export function feedbackSamples(fb: FeedbackRounds, advantages: ReadonlyArray<ReadonlyArray<number | null>>, step: number): Record<string, unknown>[] {
  return fb.regenerated.flatMap((round, k) => round.map((r, j) => ({ ...sampleRecord(r.sample, step, r.parent, advantages[k][j]), feedbackRound: r.round, group: r.group })));
}

/** 'importance': for each regenerated row of one round, the original row (rollout, canonical row index) it is trained under. */
export function reattachRows(rollouts: ReadonlyArray<{ rolloutId: string; groups: ReadonlyArray<ReadonlyArray<unknown>> }>, round: readonly RegeneratedCompletion[]): { rolloutId: string; row: number }[] {
  const where = rollouts.flatMap((r) => r.groups.map((g, p) => ({ rolloutId: r.rolloutId, first: r.groups.slice(0, p).reduce((n, h) => n + h.length, 0) })));
  return round.map((r) => ({ rolloutId: where[r.group].rolloutId, row: where[r.group].first + r.parent }));
}
