import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_DOCKER_IMAGE, DEFAULT_LANGUAGES_IMAGE } from '@molrl/sandbox';
import { RUNNER_HASH_LABEL, expectedRunnerHash, staleImageReason } from '../../src/docker/image-freshness.ts';
import { dockerMissing, languagesImageMissing, skipUnless, skipUnlessLanguages } from '../../../../test/helpers/requirements.ts';

describe('expectedRunnerHash', () => {
  it('hashes each image\'s sources in order, like its build.sh', () => {
    const dir = mkdtempSync(join(tmpdir(), 'molrl-hash-')) + '/';
    try {
      assert.equal(expectedRunnerHash('python', dir), null);
      mkdirSync(dir + 'python');
      mkdirSync(dir + 'languages');
      for (const [i, f] of ['python/runner.py', 'python/languages.py', 'python/Dockerfile', 'python/Dockerfile.offline', 'languages/Dockerfile', 'languages/packages.txt'].entries()) writeFileSync(dir + f, String(i));
      const sha = (files: string) => execFileSync('bash', ['-c', `cd ${dir} && cat ${files} | sha256sum | cut -c1-64`]).toString().trim();
      assert.equal(expectedRunnerHash('python', dir), sha('python/runner.py python/languages.py python/Dockerfile python/Dockerfile.offline'));
      assert.equal(expectedRunnerHash('languages', dir), sha('python/runner.py python/languages.py languages/Dockerfile languages/packages.txt'));
      assert.notEqual(expectedRunnerHash('python', dir), expectedRunnerHash('languages', dir));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('matches the label of the image that npm run setup built', async function () {
    skipUnless(this, await dockerMissing(DEFAULT_DOCKER_IMAGE), 'image label check');
    const label = execFileSync('docker', ['image', 'inspect', '-f', `{{ index .Config.Labels "${RUNNER_HASH_LABEL}" }}`, DEFAULT_DOCKER_IMAGE]).toString().trim();
    assert.equal(label, expectedRunnerHash());
  });

  it('matches the label of the multi-language image (npm run setup -- --languages all)', async function () {
    skipUnlessLanguages(this, await languagesImageMissing(), 'multi-language image label check');
    const label = execFileSync('docker', ['image', 'inspect', '-f', `{{ index .Config.Labels "${RUNNER_HASH_LABEL}" }}`, DEFAULT_LANGUAGES_IMAGE]).toString().trim();
    assert.equal(label, expectedRunnerHash('languages'));
  });
});

describe('staleImageReason', () => {
  it('accepts a matching label, a missing label and an unknown expectation', () => {
    assert.equal(staleImageReason({ [RUNNER_HASH_LABEL]: 'abc' }, 'abc'), null);
    assert.equal(staleImageReason({}, 'abc'), null);
    assert.equal(staleImageReason(null, 'abc'), null);
    assert.equal(staleImageReason({ [RUNNER_HASH_LABEL]: 'abc' }, null), null);
  });

  it('reports a label that differs from the checkout', () => {
    assert.match(staleImageReason({ [RUNNER_HASH_LABEL]: 'a'.repeat(64) }, 'b'.repeat(64)) ?? '', /differs from this checkout/);
  });
});
