// Tests of the parent's handle on one isolate-host process, with the real host (isolate-host.ts) and isolated-vm.
import assert from 'node:assert/strict';
import { IsolateProcess } from '../../src/isolated-vm/isolate-process.ts';

const request = { stdin: '', marker: '', timeoutMs: 1000, memoryMb: 32, outputLimitBytes: 4096 };

describe('IsolateProcess', function () {
  this.timeout(30_000);

  it('evaluates programs one after another in new contexts and reports the isolates it made', async function () {
    const host = IsolateProcess.start();
    try {
      await host.ready;
      const first = await host.evaluate({ ...request, code: 'var seen = typeof leftover; var leftover = 1; console.log(seen, stdin)', stdin: 'in' });
      assert.equal(first.kind, 'reply');
      assert.deepEqual(first.kind === 'reply' && [first.reply.status, first.reply.stdout], ['ok', 'undefined in\n']);
      const second = await host.evaluate({ ...request, code: 'console.log(typeof leftover)' });
      assert.deepEqual(second.kind === 'reply' && [second.reply.status, second.reply.stdout, second.reply.generation], ['ok', 'undefined\n', 1]);
      assert.equal(host.generation, 1);
      const loop = await host.evaluate({ ...request, timeoutMs: 100, code: 'for (;;) {}' });
      assert.deepEqual(loop.kind === 'reply' && loop.reply.status, 'timeout');
    } finally {
      host.kill();
    }
  });

  it('reports an evaluation in flight as ended when the host is killed, and refuses nothing after: it answers exit', async function () {
    const host = IsolateProcess.start();
    await host.ready;
    const pending = host.evaluate({ ...request, timeoutMs: 60_000, code: 'for (;;) {}' });
    host.kill();
    const outcome = await pending;
    assert.deepEqual(outcome, { kind: 'exit', killedHere: true, signal: 'SIGKILL', code: null });
    assert.equal(host.dead, true);
    const after = await host.evaluate({ ...request, code: 'console.log(1)' });
    assert.equal(after.kind, 'exit');
  });

  it('refuses a second evaluation while one is in flight', async function () {
    const host = IsolateProcess.start();
    try {
      await host.ready;
      const first = host.evaluate({ ...request, code: 'console.log(1)' });
      assert.throws(() => host.evaluate({ ...request, code: 'console.log(2)' }), /one evaluation at a time/);
      assert.equal((await first).kind, 'reply');
    } finally {
      host.kill();
    }
  });
});
