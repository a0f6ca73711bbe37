// Tests of runHook: error attribution, timeout and cancellation codes.
import { rejects, strictEqual } from 'node:assert/strict';
import { runHook } from '../../src/plugins/run-hook.ts';

describe('runHook', () => {
  it('wraps a thrown error as PLUGIN_HOOK_FAILED keeping plugin, hook, cause and the original code', async () => {
    const cause = Object.assign(new Error('boom'), { code: 'E_MINE' });
    const error = await runHook('reward:x', 'setup', () => { throw cause; }).catch((e: unknown) => e as { code: string; plugin: string; hook: string; cause: unknown; details: { pluginCode: string } });
    strictEqual(error.code, 'PLUGIN_HOOK_FAILED');
    strictEqual(error.plugin, 'reward:x');
    strictEqual(error.hook, 'setup');
    strictEqual(error.cause, cause);
    strictEqual(error.details.pluginCode, 'E_MINE');
  });

  it('rejects with PLUGIN_TIMEOUT and aborts the hook signal when the limit passes', async () => {
    let seen: AbortSignal | undefined;
    await rejects(runHook('reward:x', 'score', (signal) => { seen = signal; return new Promise(() => {}); }, { timeoutMs: 20 }), { code: 'PLUGIN_TIMEOUT', hook: 'score' });
    strictEqual(seen?.aborted, true);
  });

  it('rejects with REWARD_ABORTED when the caller aborts', async () => {
    const c = new AbortController();
    const p = runHook('reward:x', 'score', () => new Promise(() => {}), { signal: c.signal });
    c.abort();
    await rejects(p, { code: 'REWARD_ABORTED' });
  });
});
