// Tests of createSandbox: the factory validates the config and starts the named backend.
import assert from 'node:assert/strict';
import { dockerMissing, skipUnless } from '../../../test/helpers/requirements.ts';
import { createSandbox } from '../src/create-sandbox.ts';
import { DEFAULT_DOCKER_IMAGE } from '../src/docker/index.ts';

const request = { timeoutMs: 2000, memoryMb: 128, outputLimitBytes: 1024 } as const;

describe('createSandbox', function () {
  it('starts the isolated-vm backend', async function () {
    const sandbox = await createSandbox({ backend: 'isolated-vm', isolatedVm: { isolates: 1 } });
    try {
      assert.equal(sandbox.backend, 'isolated-vm');
      const r = await sandbox.run({ ...request, language: 'javascript', code: 'console.log("ivm")' });
      assert.equal(r.stdout, 'ivm\n');
    } finally {
      await sandbox.close();
    }
  });

  it('starts the process backend', async function () {
    const sandbox = await createSandbox({ backend: 'process', process: { quiet: true } });
    try {
      assert.equal(sandbox.backend, 'process');
      const r = await sandbox.run({ ...request, language: 'python', code: 'print("proc")' });
      assert.equal(r.stdout, 'proc\n');
    } finally {
      await sandbox.close();
    }
  });

  it('starts the docker backend with the options of the docker section', async function () {
    skipUnless(this, await dockerMissing(DEFAULT_DOCKER_IMAGE), 'createSandbox docker backend');
    const sandbox = await createSandbox({ backend: 'docker', docker: { poolSize: 1 } });
    try {
      assert.equal(sandbox.backend, 'docker');
      const r = await sandbox.run({ ...request, language: 'python', code: 'print("docker")' });
      assert.equal(r.stdout, 'docker\n');
    } finally {
      await sandbox.close();
    }
  });

  it('rejects an invalid config with CONFIG_INVALID naming the path', async function () {
    await assert.rejects(createSandbox({ backend: 'nope' as never }, 'eval.sandbox'), { code: 'CONFIG_INVALID', path: 'eval.sandbox.backend' });
  });
});
