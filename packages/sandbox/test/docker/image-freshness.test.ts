import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_DOCKER_IMAGE } from '@molrl/sandbox';
import { RUNNER_HASH_LABEL, expectedRunnerHash, staleImageReason } from '../../src/docker/image-freshness.ts';
import { dockerMissing, skipUnless } from '../../../../test/helpers/requirements.ts';

describe('expectedRunnerHash', () => {
  it('hashes runner.py, Dockerfile and Dockerfile.offline in order, like build.sh', () => {
    const dir = mkdtempSync(join(tmpdir(), 'molrl-hash-')) + '/';
    try {
      assert.equal(expectedRunnerHash(dir), null);
      writeFileSync(dir + 'runner.py', 'a');
      writeFileSync(dir + 'Dockerfile', 'b');
      writeFileSync(dir + 'Dockerfile.offline', 'c');
      const shell = execFileSync('bash', ['-c', `cat ${dir}runner.py ${dir}Dockerfile ${dir}Dockerfile.offline | sha256sum | cut -c1-64`]).toString().trim();
      assert.equal(expectedRunnerHash(dir), shell);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('matches the label of the image that npm run setup built', async function () {
    skipUnless(this, await dockerMissing(DEFAULT_DOCKER_IMAGE), 'image label check');
    const label = execFileSync('docker', ['image', 'inspect', '-f', `{{ index .Config.Labels "${RUNNER_HASH_LABEL}" }}`, DEFAULT_DOCKER_IMAGE]).toString().trim();
    assert.equal(label, expectedRunnerHash());
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
