// Streams G completions per prompt from the policy server and scores each one as it arrives (scoring overlaps generation).
import type { Completion, PolicyClient, SamplingParams } from '@molrl/policy-client';
import { toServerPrompt, type DatasetRow } from '../dataset/load-dataset.ts';
import type { RewardEngine, ScoredSample } from '../types.ts';
import { retrySafe } from './connect-server.ts';

/** One completion with its scores. */
export interface ScoredCompletion {
  row: DatasetRow;
  completion: Completion;
  scored: ScoredSample;
}

/** Result of one generate-and-score round. */
export interface RolloutResult {
  rolloutId: string;
  /** groups[p][i]: prompt p (in `rows` order), sample index i (canonical order of the server). */
  groups: ScoredCompletion[][];
  /** Wall times in ms: generation (request to `done`), scoring still running after `done` (exposed), whole round. */
  timing: { generateMs: number; scoreExposedMs: number; scoreSpanMs: number; scoreHiddenFraction: number; totalMs: number };
}

/** Options of generateAndScore. */
export interface GenerateAndScoreOptions {
  n: number;
  sampling: SamplingParams;
  seed: number;
  /** Training step stamped on the samples. */
  step: number;
  /** Prefix of sample ids (`<prefix>/<promptId>/<index>`). */
  idPrefix: string;
  /** Score identical completions of one prompt once (rewards are functions of prompt and completion). @default true */
  dedupe?: boolean;
  /** Chat-template options of the request (a row's own `chatTemplateKwargs` win). */
  chatTemplateKwargs?: Record<string, unknown>;
  signal?: AbortSignal;
}

/**
 * Generates `n` completions for each row (streamed) and scores each completion the moment it arrives. A
 * generation the server fails (a 5xx answer, a cut stream, a refused connection) is started again, up to
 * twice: the same seed gives the same completions, and nothing was trained yet.
 */
export async function generateAndScore(client: PolicyClient, engine: RewardEngine, rows: readonly DatasetRow[], opts: GenerateAndScoreOptions): Promise<RolloutResult> {
  return retrySafe(() => generateAndScoreOnce(client, engine, rows, opts), opts.signal ? { signal: opts.signal } : {});
}

async function generateAndScoreOnce(client: PolicyClient, engine: RewardEngine, rows: readonly DatasetRow[], opts: GenerateAndScoreOptions): Promise<RolloutResult> {
  const start = performance.now();
  const byId = new Map(rows.map((r, p) => [r.id, p]));
  const pending: Promise<void>[] = [];
  const seen = new Map<string, Promise<ScoredSample>>(); // promptId + completion text -> its scoring
  const groups: ScoredCompletion[][] = rows.map(() => []);
  let rolloutId = '';
  let firstScoreStart = Infinity;
  let lastScoreEnd = 0;
  const call = opts.signal ? { signal: opts.signal } : {};
  const kwargs = opts.chatTemplateKwargs && Object.keys(opts.chatTemplateKwargs).length ? { chatTemplateKwargs: opts.chatTemplateKwargs } : {};
  const stream = client.generateStream({ prompts: rows.map(toServerPrompt), n: opts.n, sampling: opts.sampling, seed: opts.seed, ...kwargs }, call);
  const consume = async (): Promise<void> => {
    for await (const event of stream) {
      if (event.type === 'rollout') rolloutId = event.rolloutId;
      else if (event.type === 'done') rolloutId ||= event.rolloutId;
      else {
        const completion = event.completion;
        const p = byId.get(completion.promptId);
        if (p === undefined) continue;
        const row = rows[p];
        firstScoreStart = Math.min(firstScoreStart, performance.now());
        const id = `${opts.idPrefix}/${row.id}/${completion.index}`;
        const key = `${row.id}\u0000${completion.text}`;
        let scoring = opts.dedupe === false ? undefined : seen.get(key);
        if (!scoring) {
          scoring = engine.score(
            { id, promptId: row.id, prompt: row.prompt, completion: completion.text, groundTruth: row.groundTruth, metadata: row.metadata, step: opts.step },
            call,
          );
          seen.set(key, scoring);
        }
        const done = scoring.then((scored) => {
          lastScoreEnd = Math.max(lastScoreEnd, performance.now());
          groups[p][completion.index] = { row, completion, scored: { ...scored, id } };
        });
        done.catch(() => {}); // observed by Promise.all below; a rejection must not count as unhandled while generation goes on
        pending.push(done);
      }
    }
  };
  try {
    await consume();
  } catch (error) {
    await Promise.allSettled(pending); // the scorings started for a failed generation end before it is tried again
    throw error;
  }
  const generated = performance.now();
  await Promise.all(pending);
  const end = performance.now();
  const span = pending.length ? lastScoreEnd - firstScoreStart : 0;
  const exposed = pending.length ? Math.max(0, lastScoreEnd - generated) : 0;
  return {
    rolloutId,
    groups,
    timing: {
      generateMs: generated - start,
      scoreExposedMs: end - generated,
      scoreSpanMs: span,
      scoreHiddenFraction: span > 0 ? Math.max(0, (span - exposed) / span) : 0,
      totalMs: end - start,
    },
  };
}
