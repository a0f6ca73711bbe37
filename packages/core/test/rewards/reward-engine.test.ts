// Tests of createRewardEngine, in-process and with worker threads; a fake Sandbox injects sandbox_error faults.
import { deepStrictEqual, ok, rejects, strictEqual } from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRewardEngine, definePlugin, type RewardSample } from '@molrl/core';
import type { RunRequest, RunResult, Sandbox } from '@molrl/sandbox';

const ECHO = fileURLToPath(new URL('./fixtures/echo-plugin.ts', import.meta.url));

/** Fault injection: code 'infra' comes back sandbox_error, anything else prints 'ok'. */
function fakeSandbox(): Sandbox & { runs: number; closed: boolean } {
  return {
    backend: 'docker',
    runs: 0,
    closed: false,
    async run(req: RunRequest): Promise<RunResult> {
      this.runs++;
      if (req.code === 'slow') await new Promise((r) => setTimeout(r, 5_000));
      const infra = req.code === 'infra';
      return { status: infra ? 'sandbox_error' : 'ok', exitCode: infra ? null : 0, signal: null, stdout: 'ok', stderr: '', truncated: false, durationMs: 1, ...(infra ? { error: { code: 'SANDBOX_DOCKER_DOWN', message: 'down' } } : {}) };
    },
    async close() {
      this.closed = true;
    },
  };
}

const sample = (id: string, metadata: Record<string, unknown>, completion = ''): RewardSample => ({ id, completion, metadata });

for (const workers of [false, 2] as const) {
  describe(`createRewardEngine (workers: ${workers})`, () => {
    it('combines weighted rewards and keeps every plugin result', async () => {
      const engine = await createRewardEngine({ rewards: [{ plugin: ECHO, options: { bonus: 1 } }, { plugin: ECHO, weight: 0.5 }], sandbox: fakeSandbox() }, { workers });
      try {
        deepStrictEqual(engine.plugins, [{ name: 'test:echo', weight: 1 }, { name: 'test:echo#2', weight: 0.5 }]);
        const r = await engine.score(sample('a', { score: 1 }));
        strictEqual(r.score, 2.5);
        strictEqual(r.status, 'ok');
        strictEqual(r.rewards['test:echo'].score, 2);
        strictEqual(r.rewards['test:echo#2'].score, 1);
      } finally {
        await engine.close();
      }
    });

    it('reaches the main-thread sandbox and returns feedback', async () => {
      const sandbox = fakeSandbox();
      const engine = await createRewardEngine({ rewards: [{ plugin: ECHO }], sandbox }, { workers });
      try {
        const r = await engine.score(sample('b', { action: 'run' }, 'print("ok")'));
        deepStrictEqual([r.score, r.rewards['test:echo'].components, r.feedback, sandbox.runs], [1, { ran: 1 }, 'Observation: ok', 1]);
      } finally {
        await engine.close();
      }
      strictEqual(sandbox.closed, false, 'a sandbox given by the caller stays open');
    });

    it('retries sandbox_error and then reports infra_error with score null, never 0', async () => {
      const sandbox = fakeSandbox();
      const engine = await createRewardEngine({ rewards: [{ plugin: ECHO }], sandbox }, { workers, retries: 2 });
      try {
        const r = await engine.score(sample('c', { action: 'run' }, 'infra'));
        deepStrictEqual([r.score, r.status, r.rewards['test:echo'].error?.code, sandbox.runs], [null, 'infra_error', 'REWARD_INFRA_ERROR', 3]);
      } finally {
        await engine.close();
      }
    });

    it('reports a thrown error as PLUGIN_HOOK_FAILED and a slow hook as PLUGIN_TIMEOUT, both plugin_error (a bug, not infrastructure)', async () => {
      const quiet = { debug() {}, info() {}, warn() {}, error() {} };
      const engine = await createRewardEngine({ rewards: [{ plugin: ECHO }], sandbox: fakeSandbox() }, { workers, sampleTimeoutMs: 200, logger: quiet });
      try {
        const thrown = await engine.score(sample('d', { action: 'throw' }));
        deepStrictEqual([thrown.status, thrown.score, thrown.rewards['test:echo'].error?.code, thrown.rewards['test:echo'].error?.hook], ['plugin_error', null, 'PLUGIN_HOOK_FAILED', 'score']);
        const slow = await engine.score(sample('e', { action: 'hang' }));
        deepStrictEqual([slow.status, slow.rewards['test:echo'].error?.code], ['plugin_error', 'PLUGIN_TIMEOUT']);
      } finally {
        await engine.close();
      }
    });

    it('a timeout while the sandbox has not answered is infra_error (the sandbox was slow, not the plugin)', async () => {
      const engine = await createRewardEngine({ rewards: [{ plugin: ECHO }], sandbox: fakeSandbox() }, { workers, sampleTimeoutMs: 200, retries: 0 });
      try {
        const r = await engine.score(sample('s', { action: 'run' }, 'slow'));
        deepStrictEqual([r.status, r.score, r.rewards['test:echo'].error?.code], ['infra_error', null, 'PLUGIN_TIMEOUT']);
      } finally {
        await engine.close();
      }
    });

    it('yields scoreAll results in input order', async () => {
      const engine = await createRewardEngine({ rewards: [{ plugin: ECHO }], sandbox: fakeSandbox() }, { workers, concurrency: 4 });
      try {
        const ids: string[] = [];
        for await (const r of engine.scoreAll(Array.from({ length: 20 }, (_, i) => sample(`s${i}`, { score: i })))) ids.push(`${r.id}:${r.score}`);
        deepStrictEqual(ids, Array.from({ length: 20 }, (_, i) => `s${i}:${i}`));
      } finally {
        await engine.close();
      }
    });

    it('rejects with REWARD_ABORTED when the caller aborts', async () => {
      const engine = await createRewardEngine({ rewards: [{ plugin: ECHO }], sandbox: fakeSandbox() }, { workers });
      try {
        const controller = new AbortController();
        const pending = engine.score(sample('f', { action: 'hang' }), { signal: controller.signal });
        setTimeout(() => controller.abort(new Error('stop')), 50);
        await rejects(pending, { code: 'REWARD_ABORTED' });
      } finally {
        await engine.close();
      }
      await rejects(engine.score(sample('g', { score: 1 })), { code: 'REWARD_ENGINE_CLOSED' });
    });
  });
}

describe('createRewardEngine', () => {
  it('validates options against the plugin schema before any hook, with the config path', async () => {
    let setups = 0;
    const plugin = definePlugin({ ...(await import(ECHO)).default, name: 'test:counted', setup: () => void setups++ });
    await rejects(createRewardEngine({ rewards: [{ plugin: ECHO }, { plugin, options: { bonus: 11 } }], sandbox: fakeSandbox() }), {
      code: 'PLUGIN_OPTIONS_INVALID',
      path: 'rewards[1].options.bonus',
    });
    strictEqual(setups, 0);
  });

  it('reports several broken entries at once as CONFIG_INVALID', async () => {
    const error = await createRewardEngine({ rewards: [{ plugin: './nope.js' }, { plugin: ECHO, options: { typo: 1 } }], sandbox: fakeSandbox() }).catch((e: unknown) => e);
    strictEqual((error as { code: string }).code, 'CONFIG_INVALID');
    deepStrictEqual(((error as { details: { errors: { code: string; path: string }[] } }).details.errors).map((e) => [e.code, e.path]), [
      ['PLUGIN_NOT_FOUND', 'rewards[0].plugin'],
      ['PLUGIN_OPTIONS_INVALID', 'rewards[1].options.typo'],
    ]);
  });

  it('refuses a plugin whose required sandbox backend is not configured', async () => {
    const plugin = definePlugin({ name: 'test:docker-only', version: '1.0.0', apiVersion: '^1', description: 'd', optionsSchema: false, requires: { sandbox: ['docker'] }, score: () => 1 });
    await rejects(createRewardEngine({ rewards: [{ plugin }], sandbox: { backend: 'process' } }), { code: 'PLUGIN_DEPENDENCY_MISSING', path: 'rewards[0].plugin' });
  });

  it('refuses an invalid rewards list with CONFIG_INVALID naming the path', async () => {
    await rejects(createRewardEngine({ rewards: [{ plugin: ECHO, weight: 'x' as never }] }), { code: 'CONFIG_INVALID', path: 'rewards[0].weight' });
  });

  it('runs teardown of every plugin when a setup fails, and throws PLUGIN_HOOK_FAILED', async () => {
    const torn: string[] = [];
    const base = { version: '1.0.0', apiVersion: '^1', description: 'd', optionsSchema: false as const, score: () => 1 };
    const good = definePlugin({ ...base, name: 'test:good', teardown: (_ctx, error) => void torn.push(`good:${(error as { code?: string })?.code}`) });
    const bad = definePlugin({ ...base, name: 'test:bad', setup: () => { throw new Error('no'); }, teardown: () => void torn.push('bad') });
    await rejects(createRewardEngine({ rewards: [{ plugin: good }, { plugin: bad }], sandbox: fakeSandbox() }), { code: 'PLUGIN_HOOK_FAILED', plugin: 'test:bad', hook: 'setup' });
    deepStrictEqual(torn.sort(), ['bad', 'good:PLUGIN_HOOK_FAILED']);
  });

  for (const workers of [false, 1] as const) {
    it(`a setup that hangs fails with PLUGIN_TIMEOUT naming hookTimeoutMs, the option to raise (workers: ${workers})`, async () => {
      const dir = await import('node:fs').then((fs) => fs.mkdtempSync(join(tmpdir(), 'molrl-setup-')));
      const file = join(dir, 'slow-setup.mjs');
      writeFileSync(file, "export default { name: 'test:slow-setup', version: '1.0.0', apiVersion: '^1', description: 'd', optionsSchema: false, setup: () => new Promise(() => {}), score: () => 1 };\n");
      const error = (await createRewardEngine({ rewards: [{ plugin: file }], sandbox: fakeSandbox() }, { workers, hookTimeoutMs: 300 }).catch((e: unknown) => e)) as { code: string; hook: string; message: string; details: { option: string } };
      deepStrictEqual([error.code, error.hook, error.details.option], ['PLUGIN_TIMEOUT', 'setup', 'hookTimeoutMs']);
      ok(error.message.includes('hookTimeoutMs') && !error.message.includes('sampleTimeoutMs'), error.message);
    });
  }

  it('calls teardown once on close', async () => {
    let teardowns = 0;
    const plugin = definePlugin({ name: 'test:t', version: '1.0.0', apiVersion: '^1', description: 'd', optionsSchema: false, score: () => null, teardown: () => void teardowns++ });
    const engine = await createRewardEngine({ rewards: [{ plugin }], sandbox: fakeSandbox() });
    const r = await engine.score({ id: 'x', completion: '', metadata: {} });
    deepStrictEqual([r.status, r.score], ['abstain', null]);
    await engine.close();
    await engine.close();
    strictEqual(teardowns, 1);
    await rejects(engine.score({ id: 'y', completion: '', metadata: {} }), { code: 'REWARD_ENGINE_CLOSED' });
  });
});
