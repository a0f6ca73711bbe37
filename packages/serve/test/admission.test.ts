import assert from 'node:assert/strict';
import { Admission } from '../src/admission.ts';

describe('Admission', () => {
  it('admits up to the concurrency, queues FIFO up to the limit and refuses beyond', async () => {
    const a = new Admission(2, 1);
    const signal = new AbortController().signal;
    const r1 = await a.enter(signal)!;
    const r2 = await a.enter(signal)!;
    const third = a.enter(signal);
    assert.ok(third);
    assert.equal(a.enter(signal), null);
    assert.deepEqual([a.active, a.queued], [2, 1]);
    r1();
    r1(); // a second release is a no-op
    const r3 = await third;
    assert.deepEqual([a.active, a.queued], [2, 0]);
    r2();
    r3();
    assert.deepEqual([a.active, a.queued], [0, 0]);
  });

  it('drops a queued request whose signal aborts, with the signal reason', async () => {
    const a = new Admission(1, 5);
    const held = await a.enter(new AbortController().signal)!;
    const c = new AbortController();
    const waiting = a.enter(c.signal)!;
    c.abort(new Error('gone'));
    await assert.rejects(waiting, /gone/);
    assert.equal(a.queued, 0);
    held();
    assert.equal(a.active, 0);
  });
});
