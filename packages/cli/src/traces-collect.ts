// The agent loop of `molrl traces collect`: the policy writes code, the sandbox runs it, the observation is the next turn.
import { isMolrlError } from '@molrl/common';
import type { DatasetRow, RewardEngine } from '@molrl/core';
import type { ChatMessage, PolicyClient } from '@molrl/policy-client';
import type { Sandbox } from '@molrl/sandbox';
import { callsFinalAnswer, extractCode, FINAL_ANSWER_PRELUDE, formatObservation } from './traces-observation.ts';

/** How an episode ended: a final answer, the turn limit, the model's context, or a sandbox fault (not written). */
export type EpisodeFinish = 'final_answer' | 'no_code' | 'turn_limit' | 'context' | 'sandbox_error';

/** One collected trace, in the form `molrl traces prepare` reads, plus the reward of its final answer. */
export interface CollectedTrace {
  id: string;
  messages: ChatMessage[];
  groundTruth?: unknown;
  metadata: Record<string, unknown>;
  turns: number;
  finish: EpisodeFinish;
  /** Reward of the last assistant turn (the final answer) from the configured plugins. */
  reward: { score: number | null; status: string; components: Record<string, number | null> };
}

/** Options of collectTraces. */
export interface CollectOptions {
  client: PolicyClient;
  sandbox: Sandbox;
  rewards: RewardEngine;
  /** Assistant turns per episode at most. */
  maxTurns: number;
  /** Sampling of each assistant turn. */
  sampling: { temperature: number; maxTokens: number };
  /** System prompt, or null for none. */
  system: string | null;
  seed: number;
  /** Limits of each code run. */
  run: { timeoutMs: number; memoryMb: number; outputLimitBytes: number };
  /** Characters of stdout kept in an observation. */
  observationMaxChars: number;
  signal?: AbortSignal;
  /** Called as each trace is done (in task order within a turn). */
  onTrace?(trace: CollectedTrace): void;
}

interface Episode {
  row: DatasetRow;
  messages: ChatMessage[];
  turns: number;
  finish: EpisodeFinish | null;
}

/** Generates the next assistant turn of each live episode; episodes whose prompt no longer fits end with 'context'. */
async function nextTurns(live: Episode[], o: CollectOptions, turn: number): Promise<Map<Episode, string>> {
  const out = new Map<Episode, string>();
  const request = (eps: Episode[]) =>
    o.client.generate({ prompts: eps.map((e, i) => ({ id: String(i), messages: e.messages })), n: 1, sampling: o.sampling, seed: o.seed * 1000 + turn }, o.signal ? { signal: o.signal } : {});
  const tooLong = (error: unknown) => isMolrlError(error) && (error.details as { serverCode?: string } | undefined)?.serverCode === 'PROMPT_TOO_LONG';
  try {
    const res = await request(live);
    for (const c of res.completions) out.set(live[Number(c.promptId)], c.text);
  } catch (error) {
    if (!tooLong(error)) throw error;
    for (const e of live) {
      try {
        out.set(e, (await request([e])).completions[0].text);
      } catch (inner) {
        if (!tooLong(inner)) throw inner;
        e.finish = 'context';
      }
    }
  }
  return out;
}

/**
 * The completion the reward plugins score: the last assistant turn; when its code calls final_answer, that code
 * with the final_answer prelude in front (as the agent ran it), so that code-execution rewards can run it too.
 */
export function scoredCompletion(lastTurn: string): string {
  const code = extractCode(lastTurn);
  return code !== null && callsFinalAnswer(code) ? `\`\`\`python\n${FINAL_ANSWER_PRELUDE}${code}\`\`\`` : lastTurn;
}

/** Runs each row's episode to its end, turn by turn across all rows (one generate call per turn), and scores it. */
export async function collectTraces(rows: readonly DatasetRow[], o: CollectOptions): Promise<CollectedTrace[]> {
  const episodes: Episode[] = rows.map((row) => ({
    row,
    messages: [
      ...(o.system === null ? [] : [{ role: 'system' as const, content: o.system }]),
      ...(typeof row.prompt === 'string' ? [{ role: 'user' as const, content: row.prompt }] : row.prompt),
    ],
    turns: 0,
    finish: null,
  }));
  for (let turn = 1; turn <= o.maxTurns; turn++) {
    const live = episodes.filter((e) => e.finish === null);
    if (!live.length) break;
    const texts = await nextTurns(live, o, turn);
    await Promise.all(
      [...texts].map(async ([e, text]) => {
        e.messages.push({ role: 'assistant', content: text });
        e.turns++;
        const code = extractCode(text);
        if (code === null) return void (e.finish = 'no_code');
        let result = await o.sandbox.run({ language: 'python', code: FINAL_ANSWER_PRELUDE + code, ...o.run }, o.signal ? { signal: o.signal } : {});
        if (result.status === 'sandbox_error') result = await o.sandbox.run({ language: 'python', code: FINAL_ANSWER_PRELUDE + code, ...o.run });
        if (result.status === 'sandbox_error') return void (e.finish = 'sandbox_error');
        e.messages.push({ role: 'user', content: formatObservation(result, o.observationMaxChars) });
        if (callsFinalAnswer(code) && result.status === 'ok') e.finish = 'final_answer';
        else if (turn === o.maxTurns) e.finish = 'turn_limit';
      }),
    );
  }
  const done = episodes.filter((e) => e.finish !== 'sandbox_error' && e.turns > 0);
  const out: CollectedTrace[] = [];
  for (const e of done) {
    const final = scoredCompletion(e.messages.findLast((m) => m.role === 'assistant')!.content);
    const scored = await o.rewards.score({ id: e.row.id, promptId: e.row.id, prompt: e.row.prompt, completion: final, groundTruth: e.row.groundTruth, metadata: { ...(e.row.metadata ?? {}) } }, o.signal ? { signal: o.signal } : {});
    const trace: CollectedTrace = {
      id: e.row.id,
      messages: e.messages,
      ...(e.row.groundTruth === undefined ? {} : { groundTruth: e.row.groundTruth }),
      metadata: { ...(e.row.metadata ?? {}) },
      turns: e.turns,
      finish: e.finish ?? 'turn_limit',
      reward: { score: scored.score, status: scored.status, components: Object.fromEntries(Object.entries(scored.rewards).map(([k, v]) => [k, v.score])) },
    };
    out.push(trace);
    o.onTrace?.(trace);
  }
  return out;
}
