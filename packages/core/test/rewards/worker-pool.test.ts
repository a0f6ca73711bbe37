// Worker threads that are lost for real: a hook blocked in a synchronous loop, a hook that exhausts its
// thread's heap. The thread is stopped and replaced, the fault is a plugin_error of its own sample, and the
// innocent samples that shared the thread are scored again alone and keep their true scores.
import { deepStrictEqual, match, ok } from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { createRewardEngine, type RewardSample, type ScoredSample } from '@molrl/core';

const FAULTY = fileURLToPath(new URL('./fixtures/faulty-plugin.ts', import.meta.url));
const sample = (id: string, metadata: Record<string, unknown>): RewardSample => ({ id, completion: '', metadata });
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

describe('worker pool: lost threads', function () {
  this.timeout(120_000);
  const batch = (fault: string) => [
    sample('a', { score: 0.1, delayMs: 200 }),
    sample('b', { score: 0.2, delayMs: 50 }),
    sample('faulty', { fault, delayMs: 20 }),
    sample('c', { score: 0.3, delayMs: 300 }),
    sample('d', { score: 0.4 }),
  ];
  const run = async (fault: string, opts: { workerMemoryMb?: number } = {}) => {
    const engine = await createRewardEngine({ rewards: [{ plugin: FAULTY }], sandbox: { backend: 'process' } }, { workers: 1, concurrency: 8, sampleTimeoutMs: 1000, retries: 0, logger: quiet, ...opts });
    const out: ScoredSample[] = [];
    try {
      for await (const r of engine.scoreAll(batch(fault))) out.push(r);
      const after = await engine.score(sample('later', { score: 0.9 }));
      deepStrictEqual([after.status, after.score], ['ok', 0.9], 'the pool works after replacing the thread');
    } finally {
      await engine.close();
    }
    return out;
  };

  it('a synchronous infinite loop is stopped: PLUGIN_TIMEOUT for its sample, true scores for the others', async () => {
    const out = await run('spin');
    deepStrictEqual(out.map((r) => [r.id, r.status, r.score]), [['a', 'ok', 0.1], ['b', 'ok', 0.2], ['faulty', 'plugin_error', null], ['c', 'ok', 0.3], ['d', 'ok', 0.4]]);
    const error = out[2].rewards['test:faulty'].error!;
    deepStrictEqual([error.code, error.hook], ['PLUGIN_TIMEOUT', 'score']);
    match(error.message, /never yielded/);
  });

  it('a hook that exhausts the heap: PLUGIN_CRASHED (out of memory) for its sample, true scores for the others', async () => {
    const out = await run('leak', { workerMemoryMb: 64 });
    deepStrictEqual(out.map((r) => [r.id, r.status, r.score]), [['a', 'ok', 0.1], ['b', 'ok', 0.2], ['faulty', 'plugin_error', null], ['c', 'ok', 0.3], ['d', 'ok', 0.4]]);
    const error = out[2].rewards['test:faulty'].error!;
    deepStrictEqual([error.code, error.hook], ['PLUGIN_CRASHED', 'score']);
    ok(/out of memory/.test(error.message) && /faulty/.test(error.message), error.message);
  });
});
