// WaitQueue: runs before compiles, FIFO within each, removal of an aborted wait, drain.
import assert from 'node:assert/strict';
import { WaitQueue, type Waiter } from '../../src/docker/wait-queue.ts';

const waiter = (name: string, compile: boolean, log: string[]): Waiter<string> => ({ compile, resolve: (s) => log.push(`${name}:${String(s)}`) });

describe('WaitQueue', () => {
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
