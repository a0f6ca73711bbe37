// Scoring many samples with bounded concurrency, yielding each result as soon as it is done (not in input order).
import type { RewardEngine, RewardSample, ScoredSample } from '@molrl/core';

/** Yields `engine.score` of every sample, `concurrency` at a time, in completion order; stops at the first rejection. */
export async function* scoreAsCompleted(engine: RewardEngine, samples: readonly RewardSample[], concurrency: number, signal: AbortSignal): AsyncGenerator<ScoredSample> {
  const running = new Map<number, Promise<{ i: number; r: ScoredSample }>>();
  let next = 0;
  const start = () => {
    const i = next++;
    running.set(i, engine.score(samples[i], { signal }).then((r) => ({ i, r })));
  };
  while (next < samples.length && running.size < concurrency) start();
  while (running.size > 0) {
    const { i, r } = await Promise.race(running.values());
    running.delete(i);
    if (next < samples.length) start();
    yield r;
  }
}
