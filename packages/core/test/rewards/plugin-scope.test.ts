// Plugin faults injected for real, in-process and in worker threads: each is a plugin_error charged to the
// plugin, hook and sample that caused it (never infra_error, never a 0), the samples beside it keep their
// scores, the process survives, and more than maxPluginErrors of them stop the engine with PLUGIN_ERROR_LIMIT.
import { deepStrictEqual, match, ok, rejects, strictEqual } from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { createRewardEngine, type RewardEngine, type RewardSample, type ScoredSample } from '@molrl/core';

const FAULTY = fileURLToPath(new URL('./fixtures/faulty-plugin.ts', import.meta.url));
const EXIT_AT_IMPORT = fileURLToPath(new URL('./fixtures/exit-at-import.ts', import.meta.url));

const sample = (id: string, metadata: Record<string, unknown>): RewardSample => ({ id, completion: '', metadata });

function collector() {
  const lines: string[] = [];
  const push = (m: string) => void lines.push(m);
  return { lines, logger: { debug() {}, info() {}, warn: push, error: push } };
}

/** Scores `faulty` between two innocent samples, all at once; returns the three results. */
async function around(engine: RewardEngine, fault: Record<string, unknown>): Promise<ScoredSample[]> {
  const out: ScoredSample[] = [];
  for await (const r of engine.scoreAll([sample('before', { score: 0.25, delayMs: 20 }), sample('faulty', fault), sample('after', { score: 0.75, delayMs: 20 })])) out.push(r);
  return out;
}

function assertCharged(results: ScoredSample[], code: string, message?: RegExp): void {
  deepStrictEqual(results.map((r) => [r.id, r.status, r.score]), [['before', 'ok', 0.25], ['faulty', 'plugin_error', null], ['after', 'ok', 0.75]]);
  const error = results[1].rewards['test:faulty'].error!;
  deepStrictEqual([error.code, error.hook], [code, 'score']);
  if (message) match(error.message, message);
}

for (const workers of [false, 1] as const) {
  describe(`plugin faults (workers: ${workers})`, function () {
    this.timeout(60_000);
    let engine: RewardEngine;
    let log: ReturnType<typeof collector>;
    beforeEach(async () => {
      log = collector();
      engine = await createRewardEngine({ rewards: [{ plugin: FAULTY }], sandbox: { backend: 'process' } }, { workers, sampleTimeoutMs: 1000, maxPluginErrors: 100, logger: log.logger });
    });
    afterEach(async () => engine.close());

    it('a hook that throws: PLUGIN_HOOK_FAILED for its sample only', async () => {
      assertCharged(await around(engine, { fault: 'throw' }), 'PLUGIN_HOOK_FAILED', /boom/);
      ok(log.lines.some((l) => l.includes('[test:faulty] plugin_error on sample "faulty" in hook score')), log.lines.join('\n'));
    });
    it('a hook that hangs past its timeout: PLUGIN_TIMEOUT', async () => {
      assertCharged(await around(engine, { fault: 'hang' }), 'PLUGIN_TIMEOUT', /sampleTimeoutMs/);
    });
    for (const fault of ['nan', 'infinity', 'out-of-range', 'wrong-type']) {
      it(`a hook that returns ${fault}: REWARD_SCORE_INVALID`, async () => {
        assertCharged(await around(engine, { fault }), 'REWARD_SCORE_INVALID');
      });
    }
    it('a stray rejected promise fails its own hook, not the process or the samples beside it', async () => {
      assertCharged(await around(engine, { fault: 'stray-rejection' }), 'PLUGIN_HOOK_FAILED', /unhandled promise rejection in plugin code: stray/);
    });
    it('process.exit in score fails the hook and the process lives on', async () => {
      assertCharged(await around(engine, { fault: 'exit' }), 'PLUGIN_HOOK_FAILED', /called process\.exit\(0\)/);
    });
    // In-process, an uncaught exception also reaches mocha's own handler, which fails the test: the CLI test
    // (packages/cli/test/commands/score-faults.test.ts) covers these two faults with --workers 0.
    if (workers !== false) {
      it('an exception thrown from a timer the hook started fails that hook', async () => {
        assertCharged(await around(engine, { fault: 'timer-throw' }), 'PLUGIN_HOOK_FAILED', /uncaught exception in plugin code: thrown from a timer/);
      });
      it('process.exit from a timer the hook started fails that hook', async () => {
        assertCharged(await around(engine, { fault: 'exit-in-timer' }), 'PLUGIN_HOOK_FAILED', /called process\.exit\(3\)/);
      });
    }
    it('a rejection after the hook returned keeps the result and is reported with plugin, hook and sample', async () => {
      const r = await engine.score(sample('late', { fault: 'late-rejection' }));
      deepStrictEqual([r.status, r.score], ['ok', 1]);
      for (let i = 0; i < 50 && !log.lines.some((l) => l.includes('late stray')); i++) await new Promise((res) => setTimeout(res, 20));
      ok(log.lines.some((l) => l.includes('[test:faulty]') && l.includes('late stray') && l.includes('hook score of sample "late"')), log.lines.join('\n'));
    });
  });
}

describe('plugin faults: limits and loading', function () {
  this.timeout(60_000);
  for (const workers of [false, 1] as const) {
    it(`more than maxPluginErrors plugin errors stop the engine with PLUGIN_ERROR_LIMIT (workers: ${workers})`, async () => {
      const engine = await createRewardEngine({ rewards: [{ plugin: FAULTY }], sandbox: { backend: 'process' } }, { workers, maxPluginErrors: 2, logger: collector().logger });
      try {
        strictEqual((await engine.score(sample('a', { fault: 'throw' }))).status, 'plugin_error');
        strictEqual((await engine.score(sample('b', { fault: 'nan' }))).status, 'plugin_error');
        const error = await engine.score(sample('c', { fault: 'throw' })).then(() => null, (e: unknown) => e as { code: string; details: { max: number; count: number; recent: { sampleId: string; hook: string; plugin: string }[] } });
        strictEqual(error?.code, 'PLUGIN_ERROR_LIMIT');
        deepStrictEqual([error.details.max, error.details.count], [2, 3]);
        deepStrictEqual(error.details.recent.map((r) => [r.plugin, r.hook, r.sampleId]), [['test:faulty', 'score', 'a'], ['test:faulty', 'score', 'b'], ['test:faulty', 'score', 'c']]);
        await rejects(engine.score(sample('d', { score: 1 })), { code: 'PLUGIN_ERROR_LIMIT' });
      } finally {
        await engine.close();
      }
    });
  }
  it('a plugin module that calls process.exit at import fails to load (PLUGIN_INVALID) instead of ending the process', async () => {
    await rejects(createRewardEngine({ rewards: [{ plugin: EXIT_AT_IMPORT }], sandbox: { backend: 'process' } }), (e: { code: string; message: string }) => e.code === 'PLUGIN_INVALID' && /process\.exit\(0\)/.test(e.message));
  });
});
