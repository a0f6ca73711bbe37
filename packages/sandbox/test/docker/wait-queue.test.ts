// The FIFO of runs waiting for a container (pool) or a host (fleet).
import assert from 'node:assert/strict';
import { WaitQueue } from '../../src/docker/wait-queue.ts';

describe('WaitQueue', () => {
  it('serves waiters first come first served, and says when nobody waits', async () => {
    const q = new WaitQueue<string>();
    assert.equal(q.serve('lost'), false);
    const a = q.wait();
    const b = q.wait();
    assert.equal(q.length, 2);
    assert.equal(q.serve('first'), true);
    assert.equal(q.serve('second'), true);
    assert.deepEqual(await Promise.all([a, b]), ['first', 'second']);
    assert.equal(q.length, 0);
  });

  it('takes an aborted waiter out of the queue with SANDBOX_ABORTED; the next one gets the value', async () => {
    const q = new WaitQueue<number>();
    const controller = new AbortController();
    const aborted = q.wait(controller.signal);
    const next = q.wait();
    controller.abort(new Error('no longer needed'));
    await assert.rejects(aborted, { code: 'SANDBOX_ABORTED' });
    assert.equal(q.length, 1);
    q.serve(7);
    assert.equal(await next, 7);
  });

  it('rejects every waiter at once', async () => {
    const q = new WaitQueue<number>();
    const waiting = [q.wait(), q.wait()];
    q.rejectAll(new Error('closed'));
    for (const w of waiting) await assert.rejects(w, /closed/);
    assert.equal(q.length, 0);
  });
});
