import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { pidAlive } from '../src/pid-alive.ts';

describe('pidAlive', () => {
  it('is true for this process and pid 1 (not ours to signal as non-root: EPERM still means alive)', () => {
    assert.equal(pidAlive(process.pid), true);
    assert.equal(pidAlive(1), true);
  });

  it('is false for a process that has exited and been reaped', () => {
    const child = spawnSync(process.execPath, ['-e', 'process.exit(0)']);
    assert.equal(child.status, 0);
    assert.equal(pidAlive(child.pid!), false);
  });
});
