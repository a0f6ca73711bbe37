// lazySandbox: a start that fails for an infrastructure reason gives sandbox_error runs (retried and reported by
// the engine, never scored), and the next run starts again, so a daemon that comes back is used again.
import assert from 'node:assert/strict';
import { DEFAULT_DOCKER_IMAGE, validateSandboxConfig } from '@molrl/sandbox';
import { lazySandbox } from '../../src/rewards/lazy-sandbox.ts';
import { dockerMissing, skipUnless } from '../../../../test/helpers/requirements.ts';

const req = { language: 'python', code: 'print(7)', timeoutMs: 5000, memoryMb: 128, outputLimitBytes: 1000 } as const;

describe('lazySandbox', function () {
  this.timeout(60_000);

  it('returns sandbox_error while the daemon is unreachable and starts the pool once it is back', async function () {
    skipUnless(this, await dockerMissing(DEFAULT_DOCKER_IMAGE), 'lazySandbox on docker');
    const saved = process.env.DOCKER_HOST;
    const sandbox = lazySandbox(validateSandboxConfig({ backend: 'docker', docker: { poolSize: 1 } }, 'sandbox'));
    try {
      process.env.DOCKER_HOST = 'unix:///nonexistent/molrl-test.sock'; // the daemon is away
      const down = await sandbox.run(req);
      assert.deepEqual([down.status, down.error?.code], ['sandbox_error', 'SANDBOX_DOCKER_UNAVAILABLE']);
      if (saved === undefined) delete process.env.DOCKER_HOST;
      else process.env.DOCKER_HOST = saved; // it is back
      const up = await sandbox.run(req);
      assert.deepEqual([up.status, up.stdout], ['ok', '7\n']);
    } finally {
      if (saved === undefined) delete process.env.DOCKER_HOST;
      else process.env.DOCKER_HOST = saved;
      await sandbox.close();
    }
  });

  it('warm() starts the backend before the first run; a warm start that failed is forgotten', async function () {
    skipUnless(this, await dockerMissing(DEFAULT_DOCKER_IMAGE), 'lazySandbox on docker');
    const saved = process.env.DOCKER_HOST;
    const sandbox = lazySandbox(validateSandboxConfig({ backend: 'docker', docker: { poolSize: 1 } }, 'sandbox'));
    try {
      process.env.DOCKER_HOST = 'unix:///nonexistent/molrl-test.sock'; // the daemon is away while it warms
      await sandbox.warm();
      if (saved === undefined) delete process.env.DOCKER_HOST;
      else process.env.DOCKER_HOST = saved;
      await sandbox.warm(); // now it starts for real, before any run (a remembered failure would make the run sandbox_error)
      const up = await sandbox.run(req);
      assert.deepEqual([up.status, up.stdout], ['ok', '7\n'], JSON.stringify(up));
    } finally {
      if (saved === undefined) delete process.env.DOCKER_HOST;
      else process.env.DOCKER_HOST = saved;
      await sandbox.close();
    }
  });

  it('still throws a usage error of the request', async function () {
    const sandbox = lazySandbox(validateSandboxConfig({ backend: 'process', process: { quiet: true } }, 'sandbox'));
    try {
      await assert.rejects(sandbox.run({ ...req, memoryMb: 1 }), { code: 'SANDBOX_REQUEST_INVALID' });
    } finally {
      await sandbox.close();
    }
  });
});
