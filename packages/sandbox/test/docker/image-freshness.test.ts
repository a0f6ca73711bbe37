import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_DOCKER_IMAGE } from '@molrl/sandbox';
import { IMAGE_SOURCES, RUNNER_HASH_LABEL, expectedRunnerHash, staleImageReason } from '../../src/docker/image-freshness.ts';
import { dockerMissing, skipUnless } from '../../../../test/helpers/requirements.ts';

describe('expectedRunnerHash', () => {
  it('hashes the image sources in the order build.sh does', () => {
    const buildSh = readFileSync(new URL('../../../../sandbox-images/python/build.sh', import.meta.url), 'utf8');
    const line = buildSh.split('\n').find((l) => l.startsWith('hash=')) ?? '';
    assert.ok(line.includes(`cat ${IMAGE_SOURCES.join(' ')} |`), `build.sh hashes: ${line}`);
    const dir = mkdtempSync(join(tmpdir(), 'molrl-hash-')) + '/';
    try {
      assert.equal(expectedRunnerHash(dir), null);
      IMAGE_SOURCES.forEach((f, i) => writeFileSync(dir + f, String.fromCharCode(97 + i)));
      const shell = execFileSync('bash', ['-c', `cd ${dir} && cat ${IMAGE_SOURCES.join(' ')} | sha256sum | cut -c1-64`]).toString().trim();
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
