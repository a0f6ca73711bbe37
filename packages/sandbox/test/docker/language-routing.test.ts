// Bad input around languages on the docker backend, without the multi-language image: an unknown language, a
// language whose image is not built, a bad compileTimeoutMs. Coded errors every time; the pool keeps serving.
import assert from 'node:assert/strict';
import { createDockerSandbox, DEFAULT_DOCKER_IMAGE, LANGUAGE_NAMES, type DockerSandbox, type RunRequest } from '@molrl/sandbox';
import { dockerMissing, skipUnless } from '../../../../test/helpers/requirements.ts';

const base = { timeoutMs: 3000, memoryMb: 128, outputLimitBytes: 4096 } as const;
const NO_IMAGE = 'molrl/no-such-languages-image:0';

describe('DockerSandbox language routing (bad input)', function () {
  let pool: DockerSandbox;

  before(async function () {
    skipUnless(this, await dockerMissing(DEFAULT_DOCKER_IMAGE), 'docker language routing tests');
    pool = await createDockerSandbox({ poolSize: 1, languagesImage: NO_IMAGE });
  });
  after(async () => pool?.close());

  async function assertHealthy(): Promise<void> {
    const r = await pool.run({ ...base, language: 'python', code: 'print(6 * 7)' });
    assert.deepEqual([r.status, r.stdout], ['ok', '42\n']);
  }

  it('rejects an unknown language with SANDBOX_LANGUAGE_UNSUPPORTED listing the names it knows', async () => {
    for (const language of ['cobol', 'C++', '', 'Python']) {
      await assert.rejects(pool.run({ ...base, language, code: '1' } as unknown as RunRequest), (error: { code: string; details: { supported: string[] }; message: string }) => {
        assert.equal(error.code, 'SANDBOX_LANGUAGE_UNSUPPORTED');
        assert.deepEqual(error.details.supported, [...LANGUAGE_NAMES]);
        assert.match(error.message, /cpp, c, java, go, rust, nodejs, typescript, bash/);
        return true;
      });
    }
    await assertHealthy();
  });

  it('names the setup command when the image of a language is not built, every time, and keeps serving python', async () => {
    for (const language of ['cpp', 'javascript', 'cpp'] as const) {
      await assert.rejects(pool.run({ ...base, language, code: 'int main() {}' }), (error: { code: string; message: string; details: { image: string } }) => {
        assert.equal(error.code, 'SANDBOX_LANGUAGE_IMAGE_MISSING');
        assert.match(error.message, /npm run setup -- --languages all/);
        assert.equal(error.details.image, NO_IMAGE);
        return true;
      });
      await assertHealthy();
    }
    const concurrent = await Promise.allSettled([
      pool.run({ ...base, language: 'go', code: 'package main' }),
      pool.run({ ...base, language: 'python', code: 'print(1)' }),
      pool.run({ ...base, language: 'rust', code: 'fn main() {}' }),
    ]);
    assert.deepEqual(
      concurrent.map((r) => (r.status === 'fulfilled' ? r.value.stdout : (r.reason as { code: string }).code)),
      ['SANDBOX_LANGUAGE_IMAGE_MISSING', '1\n', 'SANDBOX_LANGUAGE_IMAGE_MISSING'],
    );
  });

  it('rejects a bad compileTimeoutMs before anything runs', async () => {
    for (const compileTimeoutMs of [0, 1.5, 10 * 60 * 1000 + 1]) {
      await assert.rejects(pool.run({ ...base, language: 'cpp', code: '', compileTimeoutMs }), { code: 'SANDBOX_REQUEST_INVALID', path: 'compileTimeoutMs' });
    }
  });
});
