// WaitQueue: runs before compiles, FIFO within each, removal of an aborted wait, drain; waiting for a value
// (pool and fleet), aborts, rejecting every waiter.
import assert from 'node:assert/strict';
import { WaitQueue, type Waiter } from '../../src/docker/wait-queue.ts';

const waiter = (name: string, compile: boolean, log: string[]): Waiter<string> => ({ compile, resolve: (s) => log.push(`${name}:${String(s)}`) });

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

  it('serves the oldest run first, compiles only when no run waits, each in arrival order', () => {
    const q = new WaitQueue<string>();
    const log: string[] = [];
    for (const [name, compile] of [['c1', true], ['r1', false], ['c2', true], ['r2', false]] as const) q.push(waiter(name, compile, log));
    while (q.length > 0) q.next()!.resolve('s');
    assert.deepEqual(log, ['r1:s', 'r2:s', 'c1:s', 'c2:s']);
    assert.equal(q.next(), undefined);
  });

  it('removes an aborted waiter and drains the rest', () => {
    const q = new WaitQueue<string>();
    const log: string[] = [];
    const a = waiter('a', false, log);
    const b = waiter('b', true, log);
    q.push(a);
    q.push(b);
    assert.equal(q.remove(a), true);
    assert.equal(q.remove(a), false);
    assert.deepEqual(q.drain(), [b]);
    assert.equal(q.length, 0);
  });
});
